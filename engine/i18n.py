"""Gettext for messages raised outside a Flask request: CLI, scheduler and engine errors.

Flask-Babel reads the same catalogs for the web UI; a request sets the locale here too.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
SUPPORTED_LOCALES = ("nb", "en")
DEFAULT_LOCALE = "nb"
# Each language by its own name, as a language switch shows it, so never translated.
LANGUAGE_NAMES = {"nb": "Norsk bokmål", "en": "English"}

_current_locale: ContextVar[str] = ContextVar("sloyfe_locale", default=DEFAULT_LOCALE)


@cache
def _catalog(locale: str) -> NullTranslations:
    return Translations.load(str(TRANSLATIONS_DIR), [locale], domain="messages")


def current_locale() -> str:
    return _current_locale.get()


def set_locale(locale: str) -> None:
    _current_locale.set(locale if locale in SUPPORTED_LOCALES else DEFAULT_LOCALE)


@contextlib.contextmanager
def use_locale(locale: str) -> Iterator[None]:
    token = _current_locale.set(locale if locale in SUPPORTED_LOCALES else DEFAULT_LOCALE)
    try:
        yield
    finally:
        _current_locale.reset(token)


def gettext(message: str, /, **params: Any) -> str:
    """Translate `message` into the current locale and fill in %(name)s placeholders."""
    text = _catalog(current_locale()).gettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, count: int, /, **params: Any) -> str:
    text = _catalog(current_locale()).ngettext(singular, plural, count)
    return text % {"num": count, **params}


def N_(message: str) -> str:
    """Mark `message` for extraction without translating it now."""
    return message


_ = gettext

"""The gettext catalogues: every message has its bokmål text, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from engine.i18n import TRANSLATIONS_DIR, gettext, use_locale

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def catalogue(locale: str) -> Catalog:
    path = Path(TRANSLATIONS_DIR) / locale / "LC_MESSAGES" / "messages.po"
    with open(path, "rb") as handle:
        return read_po(handle, locale=locale)


def messages(locale: str) -> list[Message]:
    return [message for message in catalogue(locale) if message.id]


def forms(text: str | tuple[str, ...] | None) -> list[str]:
    if text is None:
        return []
    return [text] if isinstance(text, str) else list(text)


def placeholders(texts: list[str]) -> set[str]:
    return {name for text in texts for name in PLACEHOLDER.findall(text)}


@pytest.mark.parametrize("locale", ["nb", "en"])
def test_catalogue_has_no_fuzzy_entries(locale: str) -> None:
    assert [message.id for message in messages(locale) if message.fuzzy] == []


def test_bokmal_translates_every_message() -> None:
    untranslated = [message.id for message in messages("nb")
                    if not all(forms(message.string))]

    assert untranslated == []


@pytest.mark.parametrize("locale", ["nb", "en"])
def test_translation_keeps_placeholders(locale: str) -> None:
    wrong = []
    for message in messages(locale):
        translated = [text for text in forms(message.string) if text]
        # ngettext fills in %(num)s itself, so a singular form may leave it out ("Én feil").
        expected = placeholders(forms(message.id)) - {"num"}
        if translated and not expected <= placeholders(translated) <= expected | {"num"}:
            wrong.append(message.id)

    assert wrong == []


def test_catalogues_share_msgids() -> None:
    bokmal = {str(message.id) for message in messages("nb")}
    english = {str(message.id) for message in messages("en")}

    assert bokmal == english


def test_english_falls_back_to_msgid() -> None:
    with use_locale("en"):
        assert gettext("Open the task:") == "Open the task:"


def test_bokmal_is_default_text() -> None:
    with use_locale("nb"):
        assert gettext("Open the task:") == "Åpne oppgaven:"

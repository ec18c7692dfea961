"""Every piece of user-visible text in the templates goes through gettext.

The check parses each Jinja template, joins its literal text nodes in source order with a
placeholder for every expression and tag, and reads the result as HTML. Text between tags
and the visible attributes must then hold no letters outside the placeholders, apart from
the few names below that no language translates.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import Environment, nodes

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [ROOT / "engine" / "web" / "templates", ROOT / "engine" / "api" / "templates"]
# A character from Unicode's private use area stands for whatever Jinja outputs.
PLACEHOLDER = "\ue000"
# Attributes that browsers show or screen readers read out.
VISIBLE_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label", "aria-description",
                      "aria-roledescription", "aria-valuetext", "label"}
# The product's name, and each language's name in that language (the language switch).
UNTRANSLATED = {"Sløyfe", "Norsk bokmål", "English"}
LETTERS = re.compile(r"[^\W\d_]")


def template_paths() -> list[Path]:
    return sorted(path for directory in TEMPLATE_DIRS for path in directory.rglob("*.html"))


def flatten(node: nodes.Node, macros: list[str]) -> str:
    """Return the template's literal text in source order, each expression a placeholder.

    Macro bodies go to `macros` instead, since each is a fragment of its own.
    """
    if isinstance(node, nodes.TemplateData):
        return node.data
    if isinstance(node, nodes.Expr):
        return PLACEHOLDER
    if isinstance(node, nodes.Macro):
        macros.append("".join(flatten(child, macros) for child in node.body))
        return PLACEHOLDER
    return "".join(flatten(child, macros) for child in node.iter_child_nodes())


def html_fragments(source: str) -> list[str]:
    """Return the template and each of its macros as HTML to read.

    A macro without any tag writes attributes into a tag of its caller, so it is read as
    the attributes of a tag.
    """
    environment = Environment(extensions=["jinja2.ext.i18n"])
    macros: list[str] = []
    fragments = [flatten(environment.parse(source), macros)]
    for body in macros:
        fragments.append(body if "<" in body else f"<span {body}>")
    return fragments


class TextCollector(HTMLParser):
    """Collect text between tags and visible attribute values, skipping scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skipping: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skipping = tag
        for name, value in attrs:
            if value and name in VISIBLE_ATTRIBUTES:
                self.texts.append(value)
        if tag == "input" and dict(attrs).get("type") in ("submit", "button", "reset"):
            self.texts.append(dict(attrs).get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._skipping:
            self._skipping = None

    def handle_data(self, data: str) -> None:
        if self._skipping is None:
            self.texts.append(data)


def untranslated_text(source: str) -> list[str]:
    """Return the literal texts of a template that contain letters and skip gettext."""
    collector = TextCollector()
    for fragment in html_fragments(source):
        collector.feed(fragment)
        collector.close()
        collector.reset()
    found = []
    for text in collector.texts:
        remainder = text
        for name in UNTRANSLATED:
            remainder = remainder.replace(name, "")
        remainder = remainder.replace(PLACEHOLDER, " ")
        if LETTERS.search(remainder):
            found.append(" ".join(text.replace(PLACEHOLDER, "{…}").split()))
    return found


@pytest.mark.parametrize("path", template_paths(), ids=lambda path: path.name)
def test_template_text_is_translated(path: Path) -> None:
    assert untranslated_text(path.read_text(encoding="utf-8")) == []


def test_check_finds_plain_heading() -> None:
    found = untranslated_text('<h1 class="ds-heading">Mine saker</h1>')

    assert found == ["Mine saker"]


def test_check_finds_aria_label() -> None:
    found = untranslated_text('<nav aria-label="Hovedmeny">{{ _("x") }}</nav>')

    assert found == ["Hovedmeny"]


def test_check_finds_text_beside_expression() -> None:
    found = untranslated_text("<p>{{ count }} oppgaver</p>")

    assert found == ["{…} oppgaver"]


def test_check_accepts_gettext_and_symbols() -> None:
    source = ('<p>{{ _("Hello") }}: {{ name }} – ({{ ngettext("a", "b", 2) }})</p>'
              '{% if x %}<a href="/x">{{ _("Go") }}</a>{% endif %}<title>– Sløyfe</title>')

    assert untranslated_text(source) == []


def test_check_reads_attribute_macro_as_tag() -> None:
    source = ('{% macro state(node) %}{% if node.x %} required{% endif %} title="Hjelp"'
              '{% endmacro %}<input{{ state(node) }}>')

    assert untranslated_text(source) == ["Hjelp"]


def test_check_finds_text_in_macro() -> None:
    source = "{% macro row(x) %}<td>Ingen frist</td>{% endmacro %}"

    assert untranslated_text(source) == ["Ingen frist"]


def test_check_skips_script_content() -> None:
    assert untranslated_text("<script>const text = 'hei';</script>") == []

"""Render the Markdown of form-js text components as safe HTML.

Every character of the source is escaped first; only this subset becomes markup: paragraphs,
headings, bulleted and numbered lists, **bold**, *italic*, `code` and [links](https://...).
Links keep only http, https and mailto addresses and paths on this site. Raw HTML in the
source is shown as text. Template placeholders such as {{ name }} are shown as written.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_HEADING = re.compile(r"(#{1,6})\s+(.*)")
_BULLET = re.compile(r"[-*+]\s+(.*)")
_NUMBERED = re.compile(r"\d{1,9}[.)]\s+(.*)")
_CODE = re.compile(r"`([^`]+)`")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_ITALIC = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])|(?<!\w)_(?!\s)(.+?)(?<!\s)_(?!\w)")
_PLACEHOLDER = re.compile(r"\x00(\d+)\x00")
# A path on this site may not start with // or /\, which browsers read as another host.
_SAFE_URL = re.compile(r"(?:https?://|mailto:|/(?![/\\])|#)", re.IGNORECASE)


def render_markdown(source: str, heading_level: int = 2) -> Markup:
    """Render `source`; a level-one heading (#) becomes <h`heading_level`>."""
    blocks: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    list_tag = ""

    def close() -> None:
        nonlocal list_tag
        if paragraph:
            blocks.append(f"<p>{' '.join(paragraph)}</p>")
            paragraph.clear()
        if items:
            entries = "".join(f"<li>{item}</li>" for item in items)
            blocks.append(f"<{list_tag}>{entries}</{list_tag}>")
            items.clear()
            list_tag = ""

    for line in source.replace("\r\n", "\n").split("\n"):
        stripped = line.strip()
        heading = _HEADING.fullmatch(stripped)
        bullet = _BULLET.fullmatch(stripped)
        numbered = _NUMBERED.fullmatch(stripped)
        if not stripped:
            close()
        elif heading:
            close()
            level = min(6, heading_level + len(heading.group(1)) - 1)
            blocks.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
        elif bullet or numbered:
            tag = "ul" if bullet else "ol"
            if paragraph or (items and tag != list_tag):
                close()
            list_tag = tag
            items.append(_inline((bullet or numbered).group(1)))  # type: ignore[union-attr]
        elif items and line[:1].isspace():
            items[-1] += " " + _inline(stripped)
        else:
            if items:
                close()
            paragraph.append(_inline(stripped))
    close()
    return Markup("\n".join(blocks))


def _inline(text: str) -> str:
    """Escape `text`, then turn the inline Markdown marks in it into tags.

    Code spans and finished links are set aside behind placeholders while bold and italic
    marks are replaced, so an underscore or asterisk in an address never puts a tag into it.
    """
    escaped = str(escape(text.replace("\x00", "")))
    set_aside: list[str] = []

    def placeholder(html: str) -> str:
        set_aside.append(html)
        return f"\x00{len(set_aside) - 1}\x00"

    escaped = _CODE.sub(lambda match: placeholder(f"<code>{match.group(1)}</code>"), escaped)
    escaped = _LINK.sub(lambda match: placeholder(_link(match)), escaped)
    escaped = _emphasis(escaped)
    # A link label may hold a code span, so a restored link can bring back a placeholder.
    while "\x00" in escaped:
        escaped = _PLACEHOLDER.sub(lambda match: set_aside[int(match.group(1))], escaped)
    return escaped


def _emphasis(html: str) -> str:
    html = _BOLD.sub(lambda match: f"<strong>{match.group(1) or match.group(2)}</strong>", html)
    return _ITALIC.sub(lambda match: f"<em>{match.group(1) or match.group(2)}</em>", html)


def _link(match: re.Match[str]) -> str:
    label, address = _emphasis(match.group(1)), match.group(2)
    if not _SAFE_URL.match(address):
        return label
    return f'<a class="ds-link" href="{address}">{label}</a>'

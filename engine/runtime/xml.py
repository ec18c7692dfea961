"""Hardened XML parsing for uploaded BPMN files.

No DTDs at all: a document type declaration is rejected before lxml sees it, so neither
external entities nor entity-expansion bombs can be declared. The parser also refuses network
access and entity resolution, and a size limit applies before parsing starts.
"""

from __future__ import annotations

import codecs
import re

from lxml import etree

from engine.errors import DefinitionInvalid, DefinitionProblem
from engine.i18n import gettext as _

_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_POSITION_SUFFIX = re.compile(r",? line \d+, column \d+\s*$")

# Byte-order marks and first bytes of "<?" of the encodings in which "<!DOCTYPE" is not
# plain ASCII, so the check above must read the decoded text. UTF-32 comes first because
# its little-endian mark begins with UTF-16's.
_WIDE_ENCODINGS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
    (b"<\x00\x00\x00", "utf-32-le"), (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00?\x00", "utf-16-le"), (b"\x00<\x00?", "utf-16-be"),
)


def _ascii_view(raw: bytes) -> bytes:
    """Return the document as UTF-8 when it is in UTF-16 or UTF-32, else unchanged."""
    for start, encoding in _WIDE_ENCODINGS:
        if raw.startswith(start):
            return raw.decode(encoding, errors="replace").encode("utf-8")
    return raw


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
        collect_ids=False,
    )


def parse_xml(data: bytes | str, file_name: str, max_bytes: int) -> etree._Element:
    """Parse `data` as XML and return the root element, or raise DefinitionInvalid."""
    raw = data.encode("utf-8") if isinstance(data, str) else data

    if len(raw) > max_bytes:
        raise DefinitionInvalid(file_name, [DefinitionProblem(file_name, _(
            "The file is %(size)s kB, more than the limit of %(limit)s kB. Split the process "
            "into smaller diagrams or remove embedded images.",
            size=len(raw) // 1024, limit=max_bytes // 1024))])

    view = _ascii_view(raw)
    match = _DOCTYPE.search(view)
    if match:
        line = view.count(b"\n", 0, match.start()) + 1
        raise DefinitionInvalid(file_name, [DefinitionProblem(file_name, _(
            "The file contains a document type declaration (DOCTYPE or ENTITY). BPMN files "
            "never need one, and it is refused for safety. Remove it and deploy again."),
            line=line)])

    try:
        root = etree.fromstring(raw, parser=_parser())
    except etree.XMLSyntaxError as error:
        # libxml2 writes its reason in English and ends it with the position, which the
        # problem carries as its line already.
        reason = _POSITION_SUFFIX.sub("", error.msg or "")
        raise DefinitionInvalid(file_name, [DefinitionProblem(file_name, _(
            "The file is not well-formed XML. Open it in a BPMN modeler, save it again and "
            "deploy the new file. The XML reader's reason, in English: %(reason)s.",
            reason=reason), line=error.lineno or None)]) from None
    return root

"""Small files of every type attachments know, built in memory, for the attachment tests."""

from __future__ import annotations

import io
import zipfile

from engine.attachments.types import DOCX, ODS, ODT, XLSX

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00"
       b"\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05"
       b"\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
TEXT = "Møtereferat fra verneombudet.\r\nTiltak: rydd gangen.\n".encode()
TEXT_CP1252 = "Æ, Ø og Å i en gammel fil.\r\n".encode("cp1252")
# An executable's first bytes: no known type.
BINARY = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" * 4

CONTENT_TYPES = b'<?xml version="1.0"?><Types xmlns="x"><Default Extension="xml" ' \
                b'ContentType="application/xml"/></Types>'
MACRO_CONTENT_TYPES = CONTENT_TYPES.replace(
    b"application/xml", b"application/vnd.ms-word.document.macroEnabled.main+xml")


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def docx(content_types: bytes = CONTENT_TYPES, **extra: bytes) -> bytes:
    return zip_bytes({"[Content_Types].xml": content_types, "word/document.xml": b"<w/>",
                      **extra})


def xlsx() -> bytes:
    return zip_bytes({"[Content_Types].xml": CONTENT_TYPES, "xl/workbook.xml": b"<x/>"})


def opendocument(media_type: str) -> bytes:
    return zip_bytes({"mimetype": media_type.encode(), "content.xml": b"<office/>"})


DOCX_FILE = docx()
XLSX_FILE = xlsx()
ODT_FILE = opendocument(ODT)
ODS_FILE = opendocument(ODS)
DOCM_FILE = docx(MACRO_CONTENT_TYPES)
DOCX_WITH_MACROS = docx(**{"word/vbaProject.bin": b"\x00" * 16})
OTHER_ZIP = zip_bytes({"readme.txt": b"hei"})

__all__ = ["DOCX", "XLSX", "ODT", "ODS"]

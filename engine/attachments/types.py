"""Content types of attachments, found from the bytes of a file.

The type a browser or client declares is never used: it comes from the file's name on the
sender's machine and is trivial to forge. Each known type is recognised by its signature:

- PDF, PNG and JPEG by their magic bytes;
- Word (.docx) and Excel (.xlsx) as ZIP archives with `[Content_Types].xml` and their main
  part; files with macros (a `vbaProject.bin` part or a macro-enabled content type) are
  not recognised, so they are rejected;
- OpenDocument text and spreadsheets (.odt, .ods) as ZIP archives whose `mimetype` entry
  names the type;
- plain text as UTF-8 (with or without a byte order mark) or Windows-1252 without control
  characters other than tab, line feed, form feed and carriage return.
"""

from __future__ import annotations

import codecs
import zipfile
from dataclasses import dataclass
from pathlib import Path

from engine.i18n import N_

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
TEXT = "text/plain"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"


@dataclass(frozen=True)
class FileType:
    """A content type that attachments may have, with its name for users and the file name
    extensions that belong to it (the first is added to a name that has none of them)."""

    media_type: str
    label: str
    extensions: tuple[str, ...]


KNOWN_TYPES: dict[str, FileType] = {file_type.media_type: file_type for file_type in (
    FileType(PDF, N_("PDF"), (".pdf",)),
    FileType(PNG, N_("PNG image"), (".png",)),
    FileType(JPEG, N_("JPEG image"), (".jpg", ".jpeg")),
    FileType(TEXT, N_("plain text"), (".txt", ".csv", ".log", ".md")),
    FileType(DOCX, N_("Word document (.docx)"), (".docx",)),
    FileType(XLSX, N_("Excel workbook (.xlsx)"), (".xlsx",)),
    FileType(ODT, N_("OpenDocument text (.odt)"), (".odt",)),
    FileType(ODS, N_("OpenDocument spreadsheet (.ods)"), (".ods",)),
)}

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
PDF_SIGNATURE = b"%PDF-"
ZIP_SIGNATURE = b"PK\x03\x04"
UTF8_BOM = codecs.BOM_UTF8
# Control characters that text files do not contain: all below 0x20 except tab, line feed,
# form feed and carriage return, and DEL.
NOT_TEXT_BYTES = bytes(byte for byte in range(0x20) if byte not in b"\t\n\f\r") + b"\x7f"
# Bytes that Windows-1252 leaves undefined; a file with one of them is not text in it.
CP1252_UNDEFINED = b"\x81\x8d\x8f\x90\x9d"
# The `mimetype` entry of an OpenDocument file is the media type, a few dozen bytes. A
# larger entry is not read, so a crafted archive cannot make detection inflate much.
MAX_ODF_MIMETYPE_BYTES = 100
MAX_CONTENT_TYPES_BYTES = 1024 * 1024
CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class Detected:
    """The type found in a file; `charset` is set for plain text only."""

    file_type: FileType
    charset: str | None = None

    @property
    def content_type(self) -> str:
        """The value for a Content-Type header."""
        if self.charset:
            return f"{self.file_type.media_type}; charset={self.charset}"
        return self.file_type.media_type


def detect(path: Path) -> Detected | None:
    """Return the known type of the file at `path`, or None when it is none of them."""
    with path.open("rb") as handle:
        head = handle.read(16)
    if head.startswith(PDF_SIGNATURE):
        return Detected(KNOWN_TYPES[PDF])
    if head.startswith(PNG_SIGNATURE):
        return Detected(KNOWN_TYPES[PNG])
    if head.startswith(JPEG_SIGNATURE):
        return Detected(KNOWN_TYPES[JPEG])
    if head.startswith(ZIP_SIGNATURE):
        media_type = _zip_document_type(path)
        return Detected(KNOWN_TYPES[media_type]) if media_type else None
    charset = _text_charset(path)
    return Detected(KNOWN_TYPES[TEXT], charset) if charset else None


def _zip_document_type(path: Path) -> str | None:
    """Return the office document type of a ZIP archive, or None for any other archive."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                return _odf_type(archive)
            if "[Content_Types].xml" in names:
                return _ooxml_type(archive, names)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError,
            RuntimeError, EOFError):
        # A damaged, encrypted or otherwise unreadable archive is no known document.
        return None
    return None


def _odf_type(archive: zipfile.ZipFile) -> str | None:
    info = archive.getinfo("mimetype")
    if info.file_size > MAX_ODF_MIMETYPE_BYTES:
        return None
    declared = archive.read(info).decode("ascii", errors="replace").strip()
    return declared if declared in (ODT, ODS) else None


def _ooxml_type(archive: zipfile.ZipFile, names: set[str]) -> str | None:
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        return None
    info = archive.getinfo("[Content_Types].xml")
    if info.file_size > MAX_CONTENT_TYPES_BYTES:
        return None
    if b"macroenabled" in archive.read(info).lower():
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def _text_charset(path: Path) -> str | None:
    """Return "utf-8" or "windows-1252" when the whole file is text in it, else None."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    is_utf8 = True
    is_cp1252 = True
    with path.open("rb") as handle:
        first = True
        while chunk := handle.read(CHUNK_BYTES):
            if first and chunk.startswith(UTF8_BOM):
                chunk = chunk[len(UTF8_BOM):]
                is_cp1252 = False
            first = False
            if _contains_any(chunk, NOT_TEXT_BYTES):
                return None
            if is_utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    is_utf8 = False
            if is_cp1252 and _contains_any(chunk, CP1252_UNDEFINED):
                is_cp1252 = False
            if not is_utf8 and not is_cp1252:
                return None
    if is_utf8:
        try:
            decoder.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            is_utf8 = False
    return "windows-1252" if is_cp1252 else None


def _contains_any(chunk: bytes, characters: bytes) -> bool:
    return len(chunk.translate(None, characters)) != len(chunk)

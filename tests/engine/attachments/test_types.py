"""Finding an attachment's type from its bytes."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.attachments import types
from engine.attachments.types import detect
from tests import attachment_files as files


def detected(tmp_path: Path, content: bytes) -> str | None:
    path = tmp_path / "file"
    path.write_bytes(content)
    found = detect(path)
    return found.content_type if found is not None else None


@pytest.mark.parametrize(("content", "expected"), [
    (files.PDF, types.PDF),
    (files.PNG, types.PNG),
    (files.JPEG, types.JPEG),
    (files.DOCX_FILE, types.DOCX),
    (files.XLSX_FILE, types.XLSX),
    (files.ODT_FILE, types.ODT),
    (files.ODS_FILE, types.ODS),
    (files.TEXT, "text/plain; charset=utf-8"),
    (b"\xef\xbb\xbf" + files.TEXT, "text/plain; charset=utf-8"),
    (files.TEXT_CP1252, "text/plain; charset=windows-1252"),
])
def test_detects_known_type(tmp_path: Path, content: bytes, expected: str) -> None:
    assert detected(tmp_path, content) == expected


@pytest.mark.parametrize("content", [
    files.BINARY, files.DOCM_FILE, files.DOCX_WITH_MACROS, files.OTHER_ZIP,
    b"text with a NUL\x00 byte", b"PK\x03\x04 not really a zip archive",
    files.opendocument("application/vnd.oasis.opendocument.presentation"),
], ids=["executable", "docm", "docx-with-macros", "other-zip", "nul", "broken-zip",
        "odp"])
def test_rejects_unknown_content(tmp_path: Path, content: bytes) -> None:
    assert detected(tmp_path, content) is None


def test_text_split_across_chunks(tmp_path: Path) -> None:
    # "ø" is two bytes in UTF-8; one falls at the end of the first chunk.
    content = b"a" * (types.CHUNK_BYTES - 1) + "ø".encode()

    assert detected(tmp_path, content) == "text/plain; charset=utf-8"

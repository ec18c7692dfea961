"""The file store: the bytes of attachments, one file each, in a directory on disk.

A file's name is a random key of 32 hexadecimal characters that the store makes itself, in a
subdirectory named by the key's first two characters, so no name a user gives ever reaches
a path. A file arrives under a temporary name in the store's own directory, is flushed to
disk, and is then renamed to its key, so a reader never sees half a file; the rename is
atomic because both names lie on the same file system.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import IO

log = logging.getLogger(__name__)

KEY_PATTERN = re.compile(r"[0-9a-f]{32}")
TEMPORARY_PREFIX = ".incoming-"
CHUNK_BYTES = 64 * 1024
FILE_MODE = 0o600
DIRECTORY_MODE = 0o700


@dataclass(frozen=True)
class StagedFile:
    """A received file under its temporary name, not yet in the store."""

    path: Path
    size: int
    sha256: str
    # True when the stream held more than the size limit; the file then has only the bytes
    # up to the limit and one more.
    too_large: bool


class FileStore:
    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    def receive(self, stream: IO[bytes], max_bytes: int) -> StagedFile:
        """Copy `stream` to a temporary file, hashing it, and stop one byte past
        `max_bytes`."""
        self.directory.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
        path = self.directory / f"{TEMPORARY_PREFIX}{secrets.token_hex(16)}"
        digest = hashlib.sha256()
        size = 0
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                while size <= max_bytes:
                    chunk = stream.read(min(CHUNK_BYTES, max_bytes + 1 - size))
                    if not chunk:
                        break
                    handle.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                handle.flush()
                os.fsync(handle.fileno())
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return StagedFile(path, size, digest.hexdigest(), too_large=size > max_bytes)

    def keep(self, staged: StagedFile) -> str:
        """Move a received file into the store under a new key, and return the key."""
        key = secrets.token_hex(16)
        target = self.path(key)
        target.parent.mkdir(mode=DIRECTORY_MODE, exist_ok=True)
        os.replace(staged.path, target)
        _sync_directory(target.parent)
        return key

    def discard(self, staged: StagedFile) -> None:
        staged.path.unlink(missing_ok=True)

    def path(self, key: str) -> Path:
        """Return where the file with `key` lies; a key the store cannot have made raises
        ValueError."""
        if not KEY_PATTERN.fullmatch(key):
            raise ValueError(f"invalid storage key {key!r}")
        return self.directory / key[:2] / key

    def delete(self, key: str) -> bool:
        """Remove the file with `key`; return False when it was already gone."""
        try:
            self.path(key).unlink()
        except FileNotFoundError:
            log.warning("attachment file already gone key=%s", key)
            return False
        return True


def _sync_directory(directory: Path) -> None:
    """Flush a rename to disk, where the platform lets a directory be opened for it."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)

"""Maintain the gettext catalogs: extract msgids, set bokmål translations, compile, list gaps.

    python scripts/i18n.py extract            # scan sources, update nb and en catalogs
    python scripts/i18n.py set FILE.json      # {msgid: bokmål text}, added or replaced
    python scripts/i18n.py missing            # msgids without a bokmål translation
    python scripts/i18n.py compile            # write the .mo files

Every command takes a lock on the catalogs, so several people can run it at once.
"""

from __future__ import annotations

import fcntl
import json
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG_DIR = ROOT / "engine" / "translations"
LOCALES = ("nb", "en")
KEYWORDS = ["-k", "N_", "-k", "_", "-k", "lazy_gettext", "-k", "ngettext:1,2"]


@contextmanager
def catalog_lock() -> Iterator[None]:
    CATALOG_DIR.mkdir(parents=True, exist_ok=True)
    with open(CATALOG_DIR / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def po_path(locale: str) -> Path:
    return CATALOG_DIR / locale / "LC_MESSAGES" / "messages.po"


def extract() -> None:
    template = CATALOG_DIR / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    str(ROOT / "babel.cfg"), *KEYWORDS, "--no-location", "-o", str(template),
                    str(ROOT)], check=True, cwd=ROOT)
    for locale in LOCALES:
        subprocess.run([sys.executable, "-m", "babel.messages.frontend", "update", "-i",
                        str(template), "-d", str(CATALOG_DIR), "-l", locale, "--no-fuzzy-matching",
                        "--ignore-obsolete"], check=True, cwd=ROOT)
    template.unlink()


def set_translations(mapping_file: Path) -> None:
    mapping = json.loads(mapping_file.read_text(encoding="utf-8"))
    path = po_path("nb")
    with open(path, "rb") as handle:
        catalog = read_po(handle)
    for msgid, text in mapping.items():
        message = catalog.get(msgid)
        if message is None:
            catalog.add(msgid, text)
        else:
            message.string = text
            message.flags.discard("fuzzy")
    with open(path, "wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False)
    print(f"{len(mapping)} translations set in {path.relative_to(ROOT)}")


def missing() -> int:
    with open(po_path("nb"), "rb") as handle:
        catalog = read_po(handle)
    gaps = [message.id for message in catalog if message.id and not message.string]
    for msgid in gaps:
        print(json.dumps(msgid, ensure_ascii=False))
    return len(gaps)


def compile_catalogs() -> None:
    for locale in LOCALES:
        path = po_path(locale)
        if not path.exists():
            continue
        with open(path, "rb") as handle:
            catalog = read_po(handle, locale=locale)
        with open(path.with_suffix(".mo"), "wb") as handle:
            write_mo(handle, catalog)


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    command = argv[0]
    with catalog_lock():
        if command == "extract":
            extract()
        elif command == "set":
            set_translations(Path(argv[1]))
            compile_catalogs()
        elif command == "missing":
            return 1 if missing() else 0
        elif command == "compile":
            compile_catalogs()
        else:
            print(__doc__)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

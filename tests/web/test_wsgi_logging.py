"""The WSGI entry point sets up logging from LOG_LEVEL and LOG_FORMAT, and refuses values it
does not know with a message in bokmål."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_wsgi(tmp_path: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "SLOYFE_DATABASE_URL": f"sqlite:///{tmp_path}/w.db",
           "SLOYFE_SECRET_KEY": "test", **{f"SLOYFE_{k}": v for k, v in settings.items()}}
    probe = ("import logging, engine.wsgi; "
             "print(logging.getLevelName(logging.getLogger().level))")
    return subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, text=True,
                          capture_output=True, timeout=60)


def test_default_level_logs_each_request(tmp_path: Path) -> None:
    assert load_wsgi(tmp_path).stdout.strip() == "INFO"


def test_level_comes_from_the_setting(tmp_path: Path) -> None:
    assert load_wsgi(tmp_path, LOG_LEVEL="warning").stdout.strip() == "WARNING"


def test_unknown_level_is_refused_in_norwegian(tmp_path: Path) -> None:
    result = load_wsgi(tmp_path, LOG_LEVEL="høyt")

    assert result.returncode == 1
    assert "Innstillingen LOG_LEVEL er høyt" in result.stderr


def test_unknown_format_is_refused_in_norwegian(tmp_path: Path) -> None:
    result = load_wsgi(tmp_path, LOG_FORMAT="xml")

    assert "Innstillingen LOG_FORMAT er xml" in result.stderr

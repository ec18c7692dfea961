"""Shared fixtures: a migrated database (SQLite or PostgreSQL), a fixed clock, engines, SMTP.

SLOYFE_TEST_DATABASE=postgresql runs the whole suite on the PostgreSQL server at
SLOYFE_TEST_PG_URL (default postgresql://postgres@127.0.0.1:5432/postgres), in a database the
run creates and drops; the default is a SQLite file per test.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from engine.engine import ProcessEngine
from engine.runtime.clock import FixedClock
from engine.runtime.sandbox import Sandbox
from engine.schema import upgrade

BACKEND = os.environ.get("SLOYFE_TEST_DATABASE", "sqlite")
PG_ADMIN_URL = os.environ.get("SLOYFE_TEST_PG_URL",
                              "postgresql://postgres@127.0.0.1:5432/postgres")
# Monday 4 January 2027, 09:00 in Oslo.
START = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)


def _psycopg_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.fixture(scope="session")
def template_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database migrated once per run: a SQLite file to copy, or a PostgreSQL database."""
    if BACKEND == "sqlite":
        path = tmp_path_factory.mktemp("template") / "template.db"
        upgrade(f"sqlite:///{path}")
        yield str(path)
        return

    name = f"sloyfe_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(_psycopg_url(PG_ADMIN_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def database_url(template_database: str, tmp_path: Path) -> str:
    """A clean, migrated database for one test."""
    return clean_database(template_database, tmp_path)


def clean_database(template_database: str, directory: Path) -> str:
    """Return the URL of a clean copy of the template: a SQLite file in `directory`, or the
    PostgreSQL template database with every table emptied."""
    if BACKEND == "sqlite":
        target = directory / "sloyfe.db"
        shutil.copyfile(template_database, target)
        return f"sqlite:///{target}"

    engine = create_engine(_psycopg_url(template_database))
    with engine.begin() as connection:
        tables = [row[0] for row in connection.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'alembic_version'"))]
        connection.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables)
                                + " RESTART IDENTITY CASCADE"))
    engine.dispose()
    return template_database


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    shared = Sandbox(timeout_seconds=2.0, memory_mb=256, workers=2)
    yield shared
    shared.close()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def test_config(database_url: str, tmp_path: Path) -> dict[str, Any]:
    return {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "BASE_URL": "http://127.0.0.1:5000",
        "SMTP_HOST": "",
        "JOB_BACKOFF_SECONDS": 60,
        "JOB_MAX_ATTEMPTS": 3,
        "ATTACHMENT_DIR": str(tmp_path / "attachments"),
    }


@pytest.fixture
def make_engine(test_config: dict[str, Any], clock: FixedClock,
                sandbox: Sandbox) -> Iterator[Callable[..., ProcessEngine]]:
    """Build engines on the test database; every engine built is closed after the test."""
    built: list[ProcessEngine] = []

    def build(**overrides: Any) -> ProcessEngine:
        engine = ProcessEngine({**test_config, **overrides}, clock=clock, sandbox=sandbox)
        built.append(engine)
        return engine

    yield build
    for engine in built:
        engine.close()


@pytest.fixture
def engine(make_engine: Callable[..., ProcessEngine]) -> ProcessEngine:
    return make_engine()


@pytest.fixture
def demo_engine(engine: ProcessEngine) -> ProcessEngine:
    """An engine with the demo municipality and every process deployed."""
    from engine.demo import load_organisation, load_processes

    load_organisation(engine)
    load_processes(engine)
    return engine


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class MailBox:
    """Messages received by the test SMTP server."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        from email import message_from_bytes
        from email.policy import default

        message = message_from_bytes(envelope.content, policy=default)
        self.messages.append(message)
        return "250 Message accepted"

    def to(self, address: str) -> list[Any]:
        return [m for m in self.messages if m["To"] == address]

    def clear(self) -> None:
        self.messages.clear()


@pytest.fixture
def mailbox() -> Iterator[MailBox]:
    """A real SMTP server on 127.0.0.1 that keeps what it receives."""
    from aiosmtpd.controller import Controller

    box = MailBox()
    # Another process may take the free port before the server binds it, so try a few.
    for attempt in range(5):
        box.port = free_port()  # type: ignore[attr-defined]
        controller = Controller(box, hostname="127.0.0.1", port=box.port)  # type: ignore[attr-defined]
        try:
            controller.start()
            break
        except (OSError, RuntimeError):
            if attempt == 4:
                raise
    yield box
    controller.stop()


@pytest.fixture
def mail_config(mailbox: MailBox) -> dict[str, Any]:
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": mailbox.port,
            "MAIL_FROM": "sloyfe@eksempel.kommune.no"}

"""/healthz: 200 with a working, migrated database, 503 with the reason otherwise."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from engine.app import create_app
from engine.engine import ProcessEngine
from engine.runtime.clock import FixedClock
from engine.schema import downgrade, upgrade
from scheduler.worker import poll_once
from tests.conftest import BACKEND, PG_ADMIN_URL, free_port


@pytest.fixture
def health_app(engine: ProcessEngine, web_config: dict[str, Any]) -> Flask:
    return create_app(web_config, engine=engine)


def unreachable_url(database_url: str) -> str:
    """A database URL that cannot be opened: a removed SQLite file, or a closed port."""
    if BACKEND == "sqlite":
        path = Path(database_url.split("///", 1)[1])
        path.unlink()
        return database_url
    return f"postgresql://postgres@127.0.0.1:{free_port()}/postgres"


def test_healthz_ok_without_login(health_app: Flask) -> None:
    response = health_app.test_client().get("/healthz")
    body = response.get_json()

    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["reasons"] == []


def test_healthz_reports_newest_revision(health_app: Flask, engine: ProcessEngine) -> None:
    body = health_app.test_client().get("/healthz").get_json()

    assert body["database"]["revision"] == engine.operations.expected_revision()
    assert body["database"]["expected_revision"] == engine.operations.expected_revision()


def test_healthz_body_holds_no_settings(health_app: Flask, test_config: dict[str, Any]) -> None:
    text = health_app.test_client().get("/healthz").get_data(as_text=True)

    assert test_config["DATABASE_URL"] not in text
    assert test_config["SECRET_KEY"] not in text
    assert "postgres@" not in text


def test_healthz_503_when_database_unreachable(make_engine: Callable[..., ProcessEngine],
                                               database_url: str,
                                               web_config: dict[str, Any]) -> None:
    url = unreachable_url(database_url)
    engine = make_engine(DATABASE_URL=url, HEALTH_TIMEOUT_SECONDS=1.0)
    app = create_app({**web_config, "DATABASE_URL": url}, engine=engine)

    response = app.test_client().get("/healthz")
    body = response.get_json()

    assert response.status_code == 503
    assert body["status"] == "unavailable"
    assert body["reasons"] == ["database_unreachable"]


@pytest.fixture
def older_revision(database_url: str) -> Iterator[str]:
    """The test database moved back one migration; put back at the newest afterwards, since
    on PostgreSQL later tests share it."""
    downgrade(database_url, "-1")
    yield database_url
    upgrade(database_url)


def test_healthz_503_when_migrations_pending(older_revision: str, engine: ProcessEngine,
                                             health_app: Flask) -> None:
    response = health_app.test_client().get("/healthz")
    body = response.get_json()

    assert response.status_code == 503
    assert body["reasons"] == ["migrations_pending"]
    assert body["database"]["revision"] != body["database"]["expected_revision"]


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    """A database that exists but that no migration has touched."""
    if BACKEND == "sqlite":
        import sqlite3

        path = tmp_path / "empty.db"
        sqlite3.connect(path).close()
        yield f"sqlite:///{path}"
        return

    import uuid

    from sqlalchemy import create_engine, text

    name = f"sloyfe_empty_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://", 1),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_healthz_503_when_never_migrated(empty_database: str,
                                         make_engine: Callable[..., ProcessEngine],
                                         web_config: dict[str, Any]) -> None:
    engine = make_engine(DATABASE_URL=empty_database)
    app = create_app({**web_config, "DATABASE_URL": empty_database}, engine=engine)

    response = app.test_client().get("/healthz")
    body = response.get_json()

    assert response.status_code == 503
    assert body["reasons"] == ["migrations_pending"]
    assert body["database"]["revision"] is None


def test_healthz_shows_recent_scheduler_poll(health_app: Flask, engine: ProcessEngine,
                                             clock: FixedClock) -> None:
    poll_once(engine, "worker-a")

    body = health_app.test_client().get("/healthz").get_json()

    assert body["scheduler"]["recent"] is True
    assert body["scheduler"]["last_poll_at"] == clock.now().isoformat()


def test_healthz_stays_200_when_scheduler_idle(health_app: Flask, engine: ProcessEngine,
                                               clock: FixedClock) -> None:
    poll_once(engine, "worker-a")
    clock.advance(timedelta(seconds=int(engine.config["SCHEDULER_IDLE_SECONDS"]) + 1))

    response = health_app.test_client().get("/healthz")
    body = response.get_json()

    assert response.status_code == 200
    assert body["scheduler"]["recent"] is False


def test_healthz_without_any_poll(health_app: Flask) -> None:
    body = health_app.test_client().get("/healthz").get_json()

    assert body["scheduler"]["last_poll_at"] is None
    assert body["scheduler"]["recent"] is False


def test_heartbeat_written_at_most_once_per_interval(engine: ProcessEngine,
                                                     clock: FixedClock) -> None:
    interval = int(engine.config["SCHEDULER_HEARTBEAT_SECONDS"])

    first = engine.operations.record_heartbeat("worker-a")
    clock.advance(timedelta(seconds=interval - 1))
    too_soon = engine.operations.record_heartbeat("worker-a")
    clock.advance(timedelta(seconds=1))
    again = engine.operations.record_heartbeat("worker-a")

    assert first is True
    assert too_soon is False
    assert again is True


def test_heartbeat_drops_workers_silent_for_a_day(engine: ProcessEngine,
                                                  clock: FixedClock) -> None:
    from sqlalchemy import select

    from engine.models import SchedulerHeartbeat

    engine.operations.record_heartbeat("stopped-worker")
    clock.advance(timedelta(days=1, seconds=1))
    engine.operations.record_heartbeat("live-worker")

    with engine.transaction(read_only=True) as session:
        workers = set(session.scalars(select(SchedulerHeartbeat.worker_id)))

    assert workers == {"live-worker"}

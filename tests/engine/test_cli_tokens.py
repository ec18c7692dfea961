"""`sloyfe token`: create, list and revoke API tokens from the command line."""

from __future__ import annotations

import json

from click.testing import CliRunner

from engine.cli import main
from engine.engine import ProcessEngine


def run(database_url: str, *args: str) -> tuple[int, str, str]:
    env = {"SLOYFE_DATABASE_URL": database_url, "SLOYFE_SMTP_HOST": "",
           "SLOYFE_NOW": "2027-01-04T09:00"}
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_create_prints_secret_once(demo_engine: ProcessEngine, database_url: str) -> None:
    code, output, _error = run(database_url, "token", "create", "Arkiv", "--scope",
                               "instances:read", "--scope", "history:read", "--actor", "admin")

    secret = output.splitlines()[1]
    assert code == 0
    assert secret.startswith("slf_")
    assert demo_engine.tokens.authenticate(secret) is not None


def test_create_with_expiry(demo_engine: ProcessEngine, database_url: str) -> None:
    code, output, _error = run(database_url, "token", "create", "Arkiv", "--scope",
                               "instances:read", "--actor", "admin", "--expires",
                               "2027-02-01", "--json")

    assert code == 0
    assert json.loads(output)["expires_at"] == "2027-01-31T23:00:00+00:00"


def test_create_rejects_bad_expiry(demo_engine: ProcessEngine, database_url: str) -> None:
    code, _output, error = run(database_url, "token", "create", "Arkiv", "--scope",
                               "instances:read", "--actor", "admin", "--expires", "i morgen")

    assert code == 2
    assert "ISO 8601" in error


def test_create_rejects_unknown_actor(demo_engine: ProcessEngine, database_url: str) -> None:
    code, _output, error = run(database_url, "token", "create", "Arkiv", "--scope",
                               "instances:read", "--actor", "arkivsystem")

    assert code == 1
    assert "arkivsystem" in error


def test_list_hides_secret(demo_engine: ProcessEngine, database_url: str) -> None:
    issued = demo_engine.tokens.create("Arkiv", ["instances:read"], "admin", "admin")

    code, output, _error = run(database_url, "token", "list")

    assert code == 0
    assert issued.token.prefix in output
    assert issued.secret not in output


def test_revoke_stops_token(demo_engine: ProcessEngine, database_url: str) -> None:
    issued = demo_engine.tokens.create("Arkiv", ["instances:read"], "admin", "admin")

    code, _output, _error = run(database_url, "token", "revoke", str(issued.token.id))

    assert code == 0
    assert demo_engine.tokens.authenticate(issued.secret) is None


def test_revoke_unknown_token_fails(demo_engine: ProcessEngine, database_url: str) -> None:
    code, _output, error = run(database_url, "token", "revoke", "999")

    assert code == 1
    assert "999" in error


def test_expiry_on_nonexistent_date(demo_engine: ProcessEngine, database_url: str) -> None:
    code, _output, error = run(database_url, "token", "create", "Arkiv", "--scope",
                               "instances:read", "--actor", "admin", "--expires", "2027-02-30")

    assert code == 2
    assert error.strip() == ("Datoen 2027-02-30 finnes ikke. Bruk formatet ÅÅÅÅ-MM-DD, for "
                             "eksempel 2027-02-28.")


def test_expiry_time_on_nonexistent_date(demo_engine: ProcessEngine,
                                         database_url: str) -> None:
    code, _output, error = run(database_url, "token", "create", "Arkiv", "--scope",
                               "instances:read", "--actor", "admin", "--expires",
                               "2027-13-01T16:00")

    assert code == 2
    assert error.strip() == ("Datoen 2027-13-01 finnes ikke. Bruk formatet ÅÅÅÅ-MM-DD, for "
                             "eksempel 2027-12-01.")


def test_expiry_on_leap_day_accepted(demo_engine: ProcessEngine, database_url: str) -> None:
    code, output, _error = run(database_url, "token", "create", "Arkiv", "--scope",
                               "instances:read", "--actor", "admin", "--expires",
                               "2028-02-29", "--json")

    assert code == 0
    assert json.loads(output)["expires_at"] == "2028-02-28T23:00:00+00:00"

"""`sloyfe organisation import`: summary in bokmål, problems with line numbers, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from engine.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "eksempel-organisasjon.csv"


@pytest.fixture
def sloyfe(database_url: str):  # noqa: ANN201
    env = {"SLOYFE_DATABASE_URL": database_url, "SLOYFE_SMTP_HOST": "",
           "SLOYFE_NOW": "2027-01-04T09:00"}
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(main, list(args), env=env, catch_exceptions=False)

    return invoke


def test_import_prints_summary(sloyfe) -> None:  # noqa: ANN001
    result = sloyfe("organisation", "import", str(EXAMPLE))

    assert result.exit_code == 0
    assert "Organisasjonskartet er importert." in result.stdout
    assert "Enheter opprettet: 5" in result.stdout


def test_dry_run_saves_nothing(sloyfe) -> None:  # noqa: ANN001
    dry = sloyfe("organisation", "import", str(EXAMPLE), "--dry-run")
    units = json.loads(sloyfe("unit", "list", "--json").stdout)

    assert dry.exit_code == 0
    assert "Prøvekjøring" in dry.stdout
    assert units == []


def test_problem_exits_non_zero(sloyfe, tmp_path: Path) -> None:  # noqa: ANN001
    broken = tmp_path / "org.csv"
    broken.write_text("enhetskode;enhetsnavn;enhetstype;overordnet\n"
                      "a;A;enhet;finnes.ikke\n", encoding="utf-8")

    result = sloyfe("organisation", "import", str(broken))

    assert result.exit_code == 1
    assert "Linje 2:" in result.stderr
    assert "finnes.ikke" in result.stderr


def test_json_output(sloyfe, tmp_path: Path) -> None:  # noqa: ANN001
    broken = tmp_path / "org.csv"
    broken.write_text("enhetskode,enhetstype\nb,avdeling\n", encoding="utf-8")

    result = sloyfe("organisation", "import", str(broken), "--json")
    data = json.loads(result.stdout)

    assert result.exit_code == 1
    assert data["applied"] is False
    assert [problem["line"] for problem in data["problems"]] == [2, 2]


def test_deactivate_missing_option(sloyfe) -> None:  # noqa: ANN001
    assert sloyfe("user", "add", "gammel.ansatt", "Gammel Ansatt").exit_code == 0

    result = sloyfe("organisation", "import", str(EXAMPLE), "--deactivate-missing", "--json")
    data = json.loads(result.stdout)

    assert data["users_deactivated"] == ["gammel.ansatt"]

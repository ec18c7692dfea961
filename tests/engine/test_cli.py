"""The sloyfe command, driven as an operator would, with the clock fixed by SLOYFE_NOW."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from engine.cli import main

REPORT = {"tittel": "Fall i trapp", "hva_skjedde": "En ansatt falt.",
          "tidspunkt": "2027-01-04T08:30:00+01:00", "sted": "Trapp B", "enhet": "sykehjem",
          "kategori": "hms", "alvorlighetsgrad": "Middels"}


class Sloyfe:
    def __init__(self, database_url: str) -> None:
        self.env = {"SLOYFE_DATABASE_URL": database_url, "SLOYFE_SMTP_HOST": "",
                    "SLOYFE_NOW": "2027-01-04T09:00"}
        self.runner = CliRunner()

    def __call__(self, *args: str, now: str | None = None) -> Any:
        env = dict(self.env)
        if now:
            env["SLOYFE_NOW"] = now
        return self.runner.invoke(main, list(args), env=env, catch_exceptions=False)

    def json(self, *args: str, now: str | None = None) -> Any:
        result = self(*args, "--json", now=now)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


@pytest.fixture
def sloyfe(database_url: str) -> Sloyfe:
    cli = Sloyfe(database_url)
    assert cli("load-demo", "--history-months", "0").exit_code == 0
    return cli


def test_report_reaches_leader_task_list(sloyfe: Sloyfe) -> None:
    started = sloyfe.json("start", "avvik", "--as", "ola.ansatt", "--data", json.dumps(REPORT))
    tasks = sloyfe.json("tasks", "--as", "lise.leder")

    assert started["business_key"] == "AVVIK-2027-00001"
    assert [t["name"] for t in tasks] == ["Vurder avvik"]
    assert tasks[0]["instance_id"] == started["instance_id"]


def test_claim_and_complete_move_the_case_on(sloyfe: Sloyfe) -> None:
    instance = sloyfe.json("start", "avvik", "--as", "ola.ansatt", "--data", json.dumps(REPORT))
    task_id = instance["open_tasks"][0]["id"]

    claimed = sloyfe.json("claim", task_id, "--as", "lise.leder")
    done = sloyfe.json("complete", task_id, "--as", "lise.leder", "--data",
                       '{"beslutning": "godta", "alvorlighetsgrad": "Middels"}')

    assert claimed["assignee"] == "lise.leder"
    assert done["case_status"] == "Under behandling"
    assert [t["name"] for t in done["open_tasks"]] == ["Gjennomfør strakstiltak"]


def test_instance_shows_status_tasks_and_audit(sloyfe: Sloyfe) -> None:
    instance = sloyfe.json("start", "avvik", "--as", "ola.ansatt", "--data", json.dumps(REPORT))
    details = sloyfe.json("instance", str(instance["instance_id"]))

    assert details["case_status"] == "Meldt"
    assert [t["name"] for t in details["open_tasks"]] == ["Vurder avvik"]
    assert [e["action"] for e in details["audit"]][0] == "instance_started"


def test_later_now_fires_timers_due_in_between(sloyfe: Sloyfe) -> None:
    instance = sloyfe.json("start", "avvik", "--as", "ola.ansatt", "--data", json.dumps(REPORT))

    case = str(instance["instance_id"])
    # Shipped processes have yearly start timers of their own, so the counts are compared
    # with the case's own escalation rather than with a fixed total.
    sloyfe.json("timers", "run-due", now="2027-01-05T09:00")
    early = sloyfe.json("instance", case)
    sloyfe.json("timers", "run-due", now="2027-01-09T09:00")
    late = sloyfe.json("instance", case)

    assert early["open_tasks"][0]["escalated"] is False
    assert late["open_tasks"][0]["escalated"] is True


def test_unknown_task_exits_nonzero_in_norwegian(sloyfe: Sloyfe) -> None:
    result = sloyfe("complete", "finnes-ikke", "--as", "lise.leder")

    assert result.exit_code == 1
    assert "Det finnes ingen oppgave med id finnes-ikke" in result.stderr


def test_invalid_form_lists_fields_in_norwegian(sloyfe: Sloyfe) -> None:
    result = sloyfe("start", "avvik", "--as", "ola.ansatt", "--data", '{"tittel": ""}')

    assert result.exit_code == 1
    assert "Dataene har feil, og ingenting ble lagret" in result.stderr
    assert "  tittel: " in result.stderr


def test_malformed_json_is_usage_error(sloyfe: Sloyfe) -> None:
    result = sloyfe("start", "avvik", "--as", "ola.ansatt", "--data", "{ikke json")

    assert result.exit_code == 2
    assert "--data er ikke gyldig JSON" in result.stderr


def test_task_taken_by_other_exits_nonzero(sloyfe: Sloyfe) -> None:
    instance = sloyfe.json("start", "avvik", "--as", "ola.ansatt", "--data", json.dumps(REPORT))
    task_id = instance["open_tasks"][0]["id"]
    sloyfe.json("claim", task_id, "--as", "fatima.ansatt")

    result = sloyfe("claim", task_id, "--as", "lise.leder")

    assert result.exit_code == 1
    assert "allerede tildelt Fatima Ali" in result.stderr


def test_deploy_rejects_broken_file_with_location(sloyfe: Sloyfe, tmp_path: Path) -> None:
    broken = tmp_path / "brudd.bpmn"
    broken.write_text("<bpmn:definitions>\n<ikke-lukket>\n")

    result = sloyfe("deploy", str(broken))

    assert result.exit_code == 1
    assert "brudd.bpmn, linje 1" in result.stderr


def test_console_script_runs(database_url: str) -> None:
    """The installed `sloyfe` entry point works outside the test process."""
    sloyfe = Path(sys.executable).with_name("sloyfe")
    env = {**os.environ, "SLOYFE_DATABASE_URL": database_url}
    result = subprocess.run([str(sloyfe), "instances", "--json"], env=env, capture_output=True,
                            text=True, timeout=60)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_unknown_field_is_reported_not_silently_dropped(sloyfe: Sloyfe) -> None:
    result = sloyfe("start", "avvik", "--as", "ola.ansatt", "--data",
                    json.dumps({**REPORT, "tidspunk": "2027-01-04T08:00"}))

    assert result.exit_code == 0
    assert "skjemaet har ikke feltet tidspunk" in result.stderr


def test_instance_text_is_norwegian_with_oslo_times(sloyfe: Sloyfe) -> None:
    instance = sloyfe.json("start", "avvik", "--as", "ola.ansatt", "--data", json.dumps(REPORT))
    result = sloyfe("instance", str(instance["instance_id"]))

    assert "Tilstand: pågår, Status: Meldt" in result.stdout
    assert "Historikk:" in result.stdout
    assert "04.01.2027 09:00" in result.stdout
    assert "sak startet" in result.stdout


def test_usage_errors_are_norwegian(sloyfe: Sloyfe) -> None:
    result = sloyfe("claim", "abc")

    assert result.exit_code == 2
    assert "Mangler valget '--as'" in result.stderr


def test_successful_command_prints_no_log_lines(sloyfe: Sloyfe) -> None:
    result = sloyfe("start", "avvik", "--as", "ola.ansatt", "--data", json.dumps(REPORT))

    assert result.exit_code == 0
    assert "INFO" not in result.stderr


def test_deviation_in_future_rejected(sloyfe: Sloyfe) -> None:
    report = {**REPORT, "tidspunkt": "2027-01-04T10:00:00+01:00"}

    result = sloyfe("start", "avvik", "--as", "ola.ansatt", "--data", json.dumps(report))

    assert result.exit_code == 1
    assert ("tidspunkt: Tidspunktet for hendelsen, 04.01.2027 10:00, er frem i tid. Oppgi "
            "når hendelsen skjedde, senest nå.") in result.stderr


def test_deviation_subcategory_of_other_kind_rejected(sloyfe: Sloyfe) -> None:
    report = {**REPORT, "underkategori": "bygg/inneklima"}

    result = sloyfe("start", "avvik", "--as", "ola.ansatt", "--data", json.dumps(report))

    assert result.exit_code == 1
    assert "underkategori: Underkategorien «Bygg og miljø – Inneklima»" in result.stderr


def test_deviation_at_clock_time_accepted(sloyfe: Sloyfe) -> None:
    report = {**REPORT, "tidspunkt": "2027-01-04T09:00:00+01:00",
              "underkategori": "hms/nestenulykke"}

    assert sloyfe.json("start", "avvik", "--as", "ola.ansatt", "--data",
                       json.dumps(report))["status"] == "running"

"""Import of the organisation chart from CSV: checks with line numbers, dry run, all or nothing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from engine.engine import ProcessEngine
from engine.models import AuditEvent, Unit, User

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "eksempel-organisasjon.csv"

HEADER = "enhetskode;enhetsnavn;enhetstype;overordnet;brukernavn;navn;e-post;leder;grupper\n"

VALID = HEADER + (
    "k;Kommunen;kommune;;;;;;\n"
    "helse;Helse;tjenesteområde;k;hilde.sjef;Hilde Sjef;hilde@k.no;ja;\n"
    "hjem;Hjemmetjenesten;enhet;helse;jon.ansatt;Jon Ansatt;jon@k.no;nei;behandler@hjem\n"
)


def run(engine: ProcessEngine, text: str | bytes, **options: object):  # noqa: ANN201
    return engine.organisation_import.run(text, actor="admin", **options)


def count(engine: ProcessEngine, model: type) -> int:
    with engine.transaction(read_only=True):
        return engine.organisation.session.scalar(select(func.count()).select_from(model))


def problem_lines(result) -> list[int]:  # noqa: ANN001
    return [problem.line for problem in result.problems]


def test_valid_file_creates_units_and_users(engine: ProcessEngine) -> None:
    result = run(engine, VALID)

    assert result.problems == []
    assert result.applied
    assert result.units_created == ["k", "helse", "hjem"]
    assert result.users_created == ["hilde.sjef", "jon.ansatt"]
    with engine.transaction(read_only=True):
        org = engine.organisation
        assert org.unit("hjem").parent.code == "helse"
        assert org.unit("helse").kind == "tjenesteomraade"
        assert org.unit("helse").leader.username == "hilde.sjef"
        assert org.user("jon.ansatt").unit.code == "hjem"
        assert org.user("jon.ansatt").email == "jon@k.no"
        assert "behandler@hjem" in org.group_keys("jon.ansatt")


def test_import_writes_audit_events(engine: ProcessEngine) -> None:
    run(engine, VALID)

    with engine.transaction(read_only=True):
        actions = list(engine.organisation.session.scalars(
            select(AuditEvent.action).where(AuditEvent.actor == "admin")))
        summary = engine.organisation.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "organisation_imported"))
    assert actions.count("unit_created") == 3
    assert actions.count("user_created") == 2
    assert actions.count("member_added") == 1
    assert summary is not None
    assert summary.details["counts"]["users_created"] == 2


def test_second_import_changes_nothing(engine: ProcessEngine) -> None:
    run(engine, VALID)

    again = run(engine, VALID)

    assert again.counts() == dict.fromkeys(again.counts(), 0)


def test_update_changes_name_and_unit(engine: ProcessEngine) -> None:
    run(engine, VALID)
    changed = VALID.replace("Jon Ansatt;jon@k.no", "Jon Endret;jon@k.no").replace(
        "hjem;Hjemmetjenesten;enhet;helse", "hjem;Hjemmetjenesten;enhet;k")

    result = run(engine, changed)

    assert result.users_updated == ["jon.ansatt"]
    assert result.units_updated == ["hjem"]
    with engine.transaction(read_only=True):
        assert engine.organisation.user("jon.ansatt").display_name == "Jon Endret"
        assert engine.organisation.unit("hjem").parent.code == "k"


def test_bom_and_comma_separated(engine: ProcessEngine) -> None:
    text = ("\ufeffenhetskode,enhetsnavn,enhetstype,overordnet,brukernavn,navn,grupper\n"
            'k,Kommunen,kommune,,ola,Ola Nordmann,"behandler@k,leder@k"\n')

    result = run(engine, text.encode("utf-8"))

    assert result.problems == []
    assert result.memberships_added == ["ola: behandler@k", "ola: leder@k"]


def test_semicolon_with_bom_bytes(engine: ProcessEngine) -> None:
    result = run(engine, ("\ufeff" + VALID).encode("utf-8"))

    assert result.problems == []
    assert len(result.units_created) == 3


def test_not_utf8_is_a_problem(engine: ProcessEngine) -> None:
    result = run(engine, VALID.replace("Kommunen", "Kommunen æ").encode("latin-1"))

    assert problem_lines(result) == [1]
    assert "UTF-8" in result.problems[0].message


def test_problem_kinds_with_line_numbers(engine: ProcessEngine) -> None:
    text = HEADER + (
        "k;Kommunen;kommune;;;;;;\n"                                     # 2
        "a;A;enhet;finnes.ikke;;;;;\n"                                   # 3 unknown parent
        "b;B;avdeling;k;;;;;\n"                                          # 4 unknown kind
        "c;C;enhet;d;;;;;\n"                                             # 5 cycle c → d → c
        "d;D;enhet;c;;;;;\n"                                             # 6
        "k;;;;per;Per;per@k.no;ja;\n"                                    # 7
        "k;;;;pal;Pål;pal@k.no;ja;\n"                                    # 8 second leader
        "k;;;;per;Per igjen;;nei;\n"                                     # 9 duplicate user
        "k;;;;eva;Eva;eva-at-k.no;nei;\n"                                # 10 invalid e-mail
        "k;;;;nils;Nils;;kanskje;\n"                                     # 11 leader not ja/nei
        "k;;;;tove;Tove;;nei;ukjent-gruppe\n"                            # 12 unknown group
        "e;;enhet;k;;;;;\n"                                              # 13 new unit no name
    )

    result = run(engine, text)

    assert problem_lines(result) == [3, 4, 5, 8, 9, 10, 11, 12, 13]
    messages = {problem.line: problem.message for problem in result.problems}
    assert "finnes.ikke" in messages[3]
    assert "avdeling" in messages[4]
    assert "c → d → c" in messages[5]
    assert "per" in messages[8]
    assert "7" in messages[9]
    assert "eva-at-k.no" in messages[10]
    assert "kanskje" in messages[11]
    assert "ukjent-gruppe" in messages[12]
    assert "e" in messages[13]


def test_messages_are_in_bokmal(engine: ProcessEngine) -> None:
    result = run(engine, HEADER + "a;A;enhet;mangler;;;;;\n")

    assert "finnes ikke" in result.problems[0].message


def test_unknown_column_and_missing_code(engine: ProcessEngine) -> None:
    result = run(engine, "enhetsnavn;avdeling\nA;B\n")

    assert problem_lines(result) == [1, 1]


def test_line_numbers_count_quoted_line_breaks(engine: ProcessEngine) -> None:
    text = HEADER + 'k;"Kommunen\nmed linjeskift";kommune;;;;;;\n' + "a;A;enhet;x;;;;;\n"

    result = run(engine, text)

    assert problem_lines(result) == [4]


def test_conflicting_unit_rows(engine: ProcessEngine) -> None:
    result = run(engine, HEADER + "k;Kommunen;kommune;;;;;;\nk;Annet navn;;;;;;;\n")

    assert problem_lines(result) == [3]


def test_problem_writes_nothing(engine: ProcessEngine) -> None:
    broken = VALID + "x;X;enhet;finnes.ikke;ny.bruker;Ny Bruker;;nei;\n"

    result = run(engine, broken)

    assert not result.applied
    assert count(engine, Unit) == 0
    assert count(engine, User) == 0
    assert count(engine, AuditEvent) == 0


def test_dry_run_writes_nothing(engine: ProcessEngine) -> None:
    result = run(engine, VALID, dry_run=True)

    assert result.problems == []
    assert not result.applied
    assert result.units_created == ["k", "helse", "hjem"]
    assert result.users_created == ["hilde.sjef", "jon.ansatt"]
    assert result.leaders_set == ["helse: hilde.sjef"]
    assert count(engine, Unit) == 0
    assert count(engine, User) == 0
    assert count(engine, AuditEvent) == 0


def test_missing_users_stay_active_by_default(demo_engine: ProcessEngine) -> None:
    result = run(demo_engine, VALID)

    assert result.users_deactivated == []
    with demo_engine.transaction(read_only=True):
        assert demo_engine.organisation.user("ola.ansatt").active


def test_deactivate_missing_spares_actor(demo_engine: ProcessEngine) -> None:
    with demo_engine.transaction(read_only=True):
        active_before = [u.username for u in demo_engine.organisation.users() if u.active]

    result = demo_engine.organisation_import.run(VALID, actor="ola.ansatt",
                                                 deactivate_missing=True)

    assert "ola.ansatt" not in result.users_deactivated
    assert "lise.leder" in result.users_deactivated
    assert len(result.users_deactivated) == len(active_before) - 1
    with demo_engine.transaction(read_only=True):
        assert not demo_engine.organisation.user("lise.leder").active
        assert demo_engine.organisation.user("ola.ansatt").active
        assert demo_engine.organisation.user("jon.ansatt").active


def test_listed_inactive_user_is_activated(engine: ProcessEngine) -> None:
    run(engine, VALID)
    engine.organisation.set_active("jon.ansatt", False)

    result = run(engine, VALID)

    assert result.users_activated == ["jon.ansatt"]


def test_example_file_imports_cleanly(engine: ProcessEngine) -> None:
    result = run(engine, EXAMPLE.read_bytes())

    assert result.problems == []
    assert result.applied
    with engine.transaction(read_only=True):
        assert engine.organisation.unit("sjohagen").leader.username == "siri.leder"


def test_cycle_through_existing_units(engine: ProcessEngine) -> None:
    run(engine, VALID)

    result = run(engine, HEADER + "k;Kommunen;kommune;hjem;;;;;\n")

    assert problem_lines(result) == [2]
    assert "k → hjem → helse → k" in result.problems[0].message

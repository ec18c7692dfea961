"""The version history of a process and the comparison of two versions: what they list, who
may open them, and the messages for versions that cannot be compared."""

from __future__ import annotations

import re
from typing import Any

import pytest

from engine.engine import ProcessEngine
from engine.runtime.clock import FixedClock
from tests.version_diagrams import FIRST, KEY, SECOND, deploy_two_versions, diagram

HISTORY = f"/prosesser/{KEY}/versjoner"
COMPARE = f"{HISTORY}/sammenlign"


def row_of(html: str, version: int) -> str:
    match = re.search(rf'<tr data-version="{version}">(.*?)</tr>', html, re.S)
    assert match is not None, f"no row for version {version}"
    return match.group(1)


def diff_item(html: str, element_id: str) -> str:
    match = re.search(rf'<li [^>]*data-diff-element="{element_id}"[^>]*>(.*?)</li>', html,
                      re.S)
    assert match is not None, f"no change listed for {element_id}"
    return match.group(0)


@pytest.fixture
def owner(demo_engine: ProcessEngine, clock: FixedClock, login_as: Any) -> Any:
    """The process owner's client, after two deploys an hour apart with two cases on v1."""
    deploy_two_versions(demo_engine, cases_on_first=2, between=lambda: clock.advance(hours=1))
    return login_as("paal.prosesseier")


def test_history_lists_newest_first(owner: Any) -> None:
    html = owner.get(HISTORY).get_data(as_text=True)

    assert html.index('data-version="2"') < html.index('data-version="1"')


def test_history_shows_change_note(owner: Any) -> None:
    html = owner.get(HISTORY).get_data(as_text=True)

    assert "Kontroll etter vurdering; registrering fjernet" in row_of(html, 2)


def test_history_shows_deployer_name(owner: Any) -> None:
    html = owner.get(HISTORY).get_data(as_text=True)

    assert "Pål Eide" in row_of(html, 1)


def test_history_shows_oslo_time(owner: Any) -> None:
    html = owner.get(HISTORY).get_data(as_text=True)

    # The test clock starts 2027-01-04 08:00 UTC, 09:00 in Oslo; the second deploy is an hour on.
    assert "04.01.2027 09:00" in row_of(html, 1)
    assert "04.01.2027 10:00" in row_of(html, 2)


def test_history_counts_running_cases(owner: Any) -> None:
    html = owner.get(HISTORY).get_data(as_text=True)

    assert '<td data-label="Pågående saker" data-running>2</td>' in row_of(html, 1)
    assert '<td data-label="Pågående saker" data-running>0</td>' in row_of(html, 2)


def test_history_offers_each_file(owner: Any) -> None:
    html = owner.get(HISTORY).get_data(as_text=True)

    assert f'href="{HISTORY}/1.bpmn"' in row_of(html, 1)


def test_download_serves_old_version(owner: Any) -> None:
    response = owner.get(f"{HISTORY}/1.bpmn")

    assert response.get_data(as_text=True) == diagram(FIRST)
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename={KEY}-versjon-1.bpmn")


def test_history_refused_to_employee(owner: Any, login_as: Any) -> None:
    response = login_as("ola.ansatt").get(HISTORY)

    assert response.status_code == 403
    assert "registrering fjernet" not in response.get_data(as_text=True)


def test_compare_refused_to_employee(owner: Any, login_as: Any) -> None:
    response = login_as("ola.ansatt").get(COMPARE)

    assert response.status_code == 403
    assert "Vurder saken" not in response.get_data(as_text=True)


def test_download_refused_to_employee(owner: Any, login_as: Any) -> None:
    assert login_as("ola.ansatt").get(f"{HISTORY}/1.bpmn").status_code == 403


def test_history_of_unknown_process(owner: Any) -> None:
    assert owner.get("/prosesser/finnes-ikke/versjoner").status_code == 404


def test_compare_defaults_to_newest_two(owner: Any) -> None:
    html = owner.get(COMPARE).get_data(as_text=True)

    assert "Endringer fra versjon 1 til 2" in html


def test_compare_lists_each_kind(owner: Any) -> None:
    html = owner.get(COMPARE).get_data(as_text=True)

    assert 'data-diff-kind="added"' in diff_item(html, "kontroller")
    assert 'data-diff-kind="removed"' in diff_item(html, "registrer")
    assert 'data-diff-kind="changed"' in diff_item(html, "vurder")


def test_compare_names_changed_settings(owner: Any) -> None:
    item = diff_item(owner.get(COMPARE).get_data(as_text=True), "vurder")

    assert re.search(r"Navn.*?<td[^>]*>Vurder</td><td[^>]*>Vurder saken</td>", item, re.S)
    assert re.search(r"Kandidatgrupper.*?<td[^>]*>personvernombud</td><td[^>]*>okonomi</td>",
                     item, re.S)


def test_compare_counts_changes(owner: Any) -> None:
    html = owner.get(COMPARE).get_data(as_text=True)

    # Added: kontroller and three new flows; removed: registrer and its three flows.
    assert "4 elementer lagt til, 4 fjernet og 3 endret" in html


def test_compare_loads_both_diagrams(owner: Any) -> None:
    html = owner.get(COMPARE).get_data(as_text=True)

    assert f'data-diagram-url="{HISTORY}/1.bpmn"' in html
    assert f'data-diagram-url="{HISTORY}/2.bpmn"' in html


@pytest.mark.parametrize("query", ["fra=1&til=9", "fra=9&til=2"])
def test_compare_unknown_version(owner: Any, query: str) -> None:
    response = owner.get(f"{COMPARE}?{query}")

    assert response.status_code == 404
    assert "har ingen versjon 9" in response.get_data(as_text=True)


def test_compare_same_version_twice(owner: Any) -> None:
    response = owner.get(f"{COMPARE}?fra=2&til=2")

    assert response.status_code == 400
    assert "Versjon 2 er valgt to ganger" in response.get_data(as_text=True)


def test_compare_text_as_version(owner: Any) -> None:
    response = owner.get(f"{COMPARE}?fra=to&til=2")

    assert response.status_code == 400
    assert "to er ikke et versjonsnummer" in response.get_data(as_text=True)


def test_compare_single_version(demo_engine: ProcessEngine, login_as: Any) -> None:
    draft = demo_engine.drafts.save("paal.prosesseier", diagram(SECOND))
    demo_engine.drafts.deploy("paal.prosesseier", draft.id, "Eneste versjon")

    response = login_as("paal.prosesseier").get(COMPARE)

    assert response.status_code == 400
    assert "har bare én versjon" in response.get_data(as_text=True)


def test_process_list_links_history(owner: Any) -> None:
    html = owner.get("/prosesser").get_data(as_text=True)

    assert f'href="{HISTORY}"' in html


def test_modeler_links_history(owner: Any) -> None:
    html = owner.get(f"/prosesser/{KEY}/modell").get_data(as_text=True)

    assert f'href="{HISTORY}"' in html



def test_compare_in_english(owner: Any) -> None:
    owner.post("/sprak", data={"sprak": "en", "next": COMPARE})

    html = owner.get(COMPARE).get_data(as_text=True)

    assert "Changes from version 1 to 2" in html
    assert "Candidate groups" in diff_item(html, "vurder")

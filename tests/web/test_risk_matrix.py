"""The risk matrix page of a risk review: cells with their level in text and colour, the
events placed in them before and after measures, and who may open it."""

from __future__ import annotations

import re
from typing import Any

import pytest

from engine.engine import ProcessEngine
from tests.web.conftest import open_task_id
from tests.web.test_colour_contrast import contrast, light_colours

ORDER = {"tittel": "Legemiddelhåndtering", "enhet": "sykehjem", "risikoeier": "lise.leder",
         "prosessleder": "ola.ansatt"}
PLAN = {"tittel": "Legemiddelhåndtering", "formaal": "Finne risiko.", "omfang": "Utdeling.",
        "deltakere": ["fatima.ansatt"], "skala_sannsynlighet": "1–5",
        "skala_konsekvens": "1–5", "akseptkriterier": "Lav og Middels.", "frist": "2027-03-31"}
EVENTS = [{"tittel": "Feil legemiddel gitt"}, {"tittel": "Legemidler på avveie"}]
ANALYSIS = [{"aarsaker": "Like pakninger.", "sannsynlighet": 4, "konsekvens": 5,
             "kunnskapsstyrke": "sterk"},
            {"aarsaker": "Ulåst rom.", "sannsynlighet": 1, "konsekvens": 1,
             "kunnskapsstyrke": "middels"}]
MEASURE = {"tittel": "Dobbeltkontroll", "hendelse": 1, "ansvarlig": "fatima.ansatt",
           "frist": "2027-02-15"}


def complete(engine: ProcessEngine, instance_id: int, element_id: str, user: str,
             data: dict[str, Any]) -> None:
    engine.tasks.complete(open_task_id(engine, instance_id, element_id), user, data)


def analysed_review(engine: ProcessEngine) -> int:
    instance_id = engine.runtime.start("risikovurdering", "ola.ansatt", ORDER).instance_id
    complete(engine, instance_id, "Planlegg", "ola.ansatt", PLAN)
    complete(engine, instance_id, "GodkjennMandat", "lise.leder",
             {"beslutning_mandat": "godkjenn"})
    complete(engine, instance_id, "IdentifiserHendelser", "ola.ansatt", {"hendelser": EVENTS})
    complete(engine, instance_id, "AnalyserRisiko", "ola.ansatt", {"hendelser": ANALYSIS})
    return instance_id


def approved_review(engine: ProcessEngine) -> int:
    instance_id = analysed_review(engine)
    complete(engine, instance_id, "EvaluerRisiko", "ola.ansatt",
             {"evaluering": "Hendelse 1 trenger tiltak.", "tiltak": [MEASURE]})
    complete(engine, instance_id, "GjennomforTiltak", "fatima.ansatt",
             {"gjennomforing": "Innført."})
    complete(engine, instance_id, "VurderRestrisiko", "lise.leder", {
        "hendelser": [{"rest_sannsynlighet": 2, "rest_konsekvens": 5},
                      {"rest_sannsynlighet": 1, "rest_konsekvens": 1}],
        "beslutning_restrisiko": "godkjenn"})
    return instance_id


def cell(html: str, section: str, likelihood: int, consequence: int) -> str:
    """Return the text of one cell of the grid in `section` ("before" or "after")."""
    grid = html.split(f'id="{section}-heading"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(\d+) – .*?</tr>", grid, re.S)
    bodies = re.findall(r"<tr>\s*<th scope=\"row\">\d+ – .*?</th>(.*?)</tr>", grid, re.S)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", bodies[rows.index(str(likelihood))], re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cells[consequence - 1])).strip()


def cell_class(html: str, likelihood: int, consequence: int) -> str:
    grid = html.split('id="before-heading"', 1)[1].split("</table>", 1)[0]
    bodies = re.findall(r"<tr>\s*<th scope=\"row\">(\d+) – .*?</th>(.*?)</tr>", grid, re.S)
    body = dict(bodies)[str(likelihood)]
    return re.findall(r'<td class="([^"]+)"', body)[consequence - 1]


def test_case_page_links_to_matrix(login_as: Any, demo_engine: ProcessEngine) -> None:
    instance_id = analysed_review(demo_engine)

    html = login_as("lise.leder").get(f"/saker/{instance_id}").get_data(as_text=True)

    assert f'href="/saker/{instance_id}/risikomatrise"' in html
    assert "Vis risikomatrisen" in html


def test_matrix_places_events_in_cells(login_as: Any, demo_engine: ProcessEngine) -> None:
    instance_id = analysed_review(demo_engine)

    response = login_as("ola.ansatt").get(f"/saker/{instance_id}/risikomatrise")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert cell(html, "before", 4, 5) == "Høy 1. Feil legemiddel gitt"
    assert cell(html, "before", 1, 1) == "Lav 2. Legemidler på avveie"
    assert cell(html, "before", 3, 3) == "Middels"
    assert 'id="after-heading"' not in html


def test_every_cell_names_its_level(login_as: Any, demo_engine: ProcessEngine) -> None:
    instance_id = analysed_review(demo_engine)

    html = login_as("ola.ansatt").get(f"/saker/{instance_id}/risikomatrise").get_data(
        as_text=True)

    levels = {(s, k): cell(html, "before", s, k).split(" ")[0]
              for s in range(1, 6) for k in range(1, 6)}
    assert levels[(1, 1)] == "Lav"
    assert levels[(1, 5)] == "Middels"
    assert levels[(5, 5)] == "Høy"
    assert set(levels.values()) == {"Lav", "Middels", "Høy"}
    assert cell_class(html, 5, 5) == "sloyfe-risk-cell sloyfe-risk-rod"
    assert cell_class(html, 1, 1) == "sloyfe-risk-cell sloyfe-risk-gronn"
    assert cell_class(html, 3, 3) == "sloyfe-risk-cell sloyfe-risk-gul"


def test_matrix_follows_level_names_of_setting(login_as: Any,
                                              demo_engine: ProcessEngine) -> None:
    demo_engine.repository.set_setting("risikovurdering.matrise", {
        "sannsynlighet": ["Sjelden", "Ofte"], "konsekvens": ["Liten", "Stor"],
        "nivaaer": [{"navn": "Akseptabel", "farge": "gronn"},
                    {"navn": "Uakseptabel", "farge": "rod"}],
        "celler": [["Akseptabel", "Akseptabel"], ["Akseptabel", "Uakseptabel"]],
        "akseptgrense": "Akseptabel"}, actor="admin")
    instance_id = demo_engine.runtime.start("risikovurdering", "ola.ansatt",
                                            ORDER).instance_id

    html = login_as("ola.ansatt").get(f"/saker/{instance_id}/risikomatrise").get_data(
        as_text=True)

    assert cell(html, "before", 2, 2) == "Uakseptabel"
    assert cell(html, "before", 1, 2) == "Akseptabel"
    assert "2 – Ofte" in html
    assert "Ingen hendelser er analysert ennå." in html


def test_matrix_shows_residual_risk(login_as: Any, demo_engine: ProcessEngine) -> None:
    instance_id = approved_review(demo_engine)

    html = login_as("lise.leder").get(f"/saker/{instance_id}/risikomatrise").get_data(
        as_text=True)

    assert cell(html, "before", 4, 5) == "Høy 1. Feil legemiddel gitt"
    assert cell(html, "after", 2, 5) == "Høy 1. Feil legemiddel gitt"
    assert cell(html, "after", 4, 5) == "Høy"
    assert cell(html, "after", 1, 1) == "Lav 2. Legemidler på avveie"


def test_matrix_refused_to_unrelated_user(login_as: Any, demo_engine: ProcessEngine) -> None:
    instance_id = analysed_review(demo_engine)

    response = login_as("erik.laerer").get(f"/saker/{instance_id}/risikomatrise")

    assert response.status_code == 404
    assert "Feil legemiddel gitt" not in response.get_data(as_text=True)


def test_matrix_refused_to_anonymous(client: Any, demo_engine: ProcessEngine) -> None:
    instance_id = analysed_review(demo_engine)

    response = client.get(f"/saker/{instance_id}/risikomatrise")

    assert response.status_code in (302, 401)


def test_matrix_absent_for_other_processes(login_as: Any, report: Any) -> None:
    instance_id = report()

    response = login_as("lise.leder").get(f"/saker/{instance_id}/risikomatrise")
    case_page = login_as("lise.leder").get(f"/saker/{instance_id}").get_data(as_text=True)

    assert response.status_code == 404
    assert "risikomatrise" not in case_page


@pytest.mark.parametrize("colour", ["success", "warning", "danger"])
def test_cell_colours_meet_aa(colour: str) -> None:
    colours = light_colours()

    assert contrast(colours[f"{colour}-text-default"],
                    colours[f"{colour}-surface-active"]) >= 4.5


def test_orange_cell_meets_aa() -> None:
    colours = light_colours()

    assert contrast(colours["warning-text-default"], colours["warning-base-default"]) >= 4.5

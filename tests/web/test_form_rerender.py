"""A task form shown again after a validation error: every row the user had, what they
typed, the stored read-only values, and the error at the row or field it concerns."""

from __future__ import annotations

from typing import Any

import lxml.html
from flask.testing import FlaskClient
from lxml.html import HtmlElement

from engine.engine import ProcessEngine
from tests.conversation import open_task, start_round
from tests.web.conftest import open_task_id
from tests.web.test_risk_matrix import ORDER, PLAN, complete

EVENTS = [{"tittel": "Feil legemiddel gitt"}, {"tittel": "Legemidler på avveie"},
          {"tittel": "Brann på lageret"}]

# Row 1 is complete, row 2 lacks its causes, and row 3 is left as the form showed it.
ANALYSIS_POST = {
    "hendelser[0]": "", "hendelser[0].aarsaker": "Like pakninger.",
    "hendelser[0].barrierer": "", "hendelser[0].sannsynlighet": "4",
    "hendelser[0].konsekvens": "5", "hendelser[0].kunnskapsstyrke": "sterk",
    "hendelser[1]": "", "hendelser[1].aarsaker": "",
    "hendelser[1].barrierer": "Låst skap om natten.", "hendelser[1].sannsynlighet": "2",
    "hendelser[1].konsekvens": "3", "hendelser[1].kunnskapsstyrke": "middels",
    "hendelser[2]": "", "hendelser[2].aarsaker": "", "hendelser[2].barrierer": "",
    "hendelser[2].sannsynlighet": "", "hendelser[2].konsekvens": "",
    "hendelser[2].kunnskapsstyrke": "",
}


def analysis_task(engine: ProcessEngine) -> tuple[int, str]:
    """Run a risk review with three events up to "Analyser risiko", taken by ola.ansatt."""
    instance_id = engine.runtime.start("risikovurdering", "ola.ansatt", ORDER).instance_id
    complete(engine, instance_id, "Planlegg", "ola.ansatt", PLAN)
    complete(engine, instance_id, "GodkjennMandat", "lise.leder",
             {"beslutning_mandat": "godkjenn"})
    complete(engine, instance_id, "IdentifiserHendelser", "ola.ansatt", {"hendelser": EVENTS})
    task_id = open_task_id(engine, instance_id, "AnalyserRisiko")
    engine.tasks.claim(task_id, "ola.ansatt")
    return instance_id, task_id


def form_tree(html: str) -> HtmlElement:
    start = html.index('<form class="sloyfe-form"')
    end = html.index("</form>", start) + len("</form>")
    return lxml.html.fragment_fromstring(html[start:end])


def texts(root: HtmlElement, xpath: str) -> list[str]:
    return [element.text_content().strip() for element in root.xpath(xpath)]


def value_of(root: HtmlElement, name: str) -> str:
    """Return what an input, textarea or select named `name` shows."""
    found = root.xpath(f"//*[@name='{name}']")
    assert len(found) == 1, f"{name} matched {len(found)} elements"
    element = found[0]
    if element.tag == "select":
        chosen = element.xpath("./option[@selected]/@value")
        return chosen[0] if chosen else ""
    if element.tag == "textarea":
        return (element.text or "").strip()
    return element.get("value") or ""


def post_analysis(client: FlaskClient, task_id: str, data: dict[str, str]) -> Any:
    return client.post(f"/oppgaver/{task_id}", data=data)


def shown_values(root: HtmlElement) -> dict[str, str]:
    """Return what a browser would post from the form as shown, without the buttons."""
    names = root.xpath("//input[@name][not(@type='submit')]/@name | //select/@name | "
                       "//textarea/@name")
    return {name: value_of(root, name) for name in names}


def corrected_post(response: Any, changes: dict[str, str]) -> dict[str, str]:
    """Return the post a user sends after changing some fields of a re-rendered form."""
    form_values = shown_values(form_tree(response.get_data(as_text=True)))
    for name in changes:
        assert name in form_values, f"{name} is not on the re-rendered form"
    return {**form_values, **changes}


# --- risk analysis: a list without add and remove buttons --------------------------------------

def test_analysis_error_keeps_every_row(login_as: Any, demo_engine: ProcessEngine) -> None:
    _, task_id = analysis_task(demo_engine)

    response = post_analysis(login_as("ola.ansatt"), task_id, ANALYSIS_POST)
    root = form_tree(response.get_data(as_text=True))

    assert response.status_code == 422
    assert texts(root, "//fieldset[contains(@class, 'sloyfe-list-row')]/legend") == \
        ["Rad 1", "Rad 2", "Rad 3"]


def test_analysis_error_shows_stored_titles(login_as: Any,
                                            demo_engine: ProcessEngine) -> None:
    _, task_id = analysis_task(demo_engine)

    response = post_analysis(login_as("ola.ansatt"), task_id, ANALYSIS_POST)
    root = form_tree(response.get_data(as_text=True))

    assert texts(root, "//dl[contains(@class, 'sloyfe-read-only')]/dd") == \
        [event["tittel"] for event in EVENTS]
    assert "Ikke fylt ut" not in root.text_content()


def test_analysis_error_keeps_typed_values(login_as: Any, demo_engine: ProcessEngine) -> None:
    _, task_id = analysis_task(demo_engine)

    response = post_analysis(login_as("ola.ansatt"), task_id, ANALYSIS_POST)
    root = form_tree(response.get_data(as_text=True))

    for name, typed in ANALYSIS_POST.items():
        if "." in name:
            assert value_of(root, name) == typed, name


def test_analysis_error_marks_each_missing_field(login_as: Any,
                                                 demo_engine: ProcessEngine) -> None:
    _, task_id = analysis_task(demo_engine)

    response = post_analysis(login_as("ola.ansatt"), task_id, ANALYSIS_POST)
    root = form_tree(response.get_data(as_text=True))
    invalid = root.xpath("//*[@aria-invalid='true']/@name")

    assert invalid == ["hendelser[1].aarsaker", "hendelser[2].aarsaker",
                       "hendelser[2].sannsynlighet", "hendelser[2].konsekvens",
                       "hendelser[2].kunnskapsstyrke"]
    assert "Årsaker i rad 2: Feltet er obligatorisk. Fyll det ut." in \
        texts(root, "//*[contains(@class, 'ds-error-summary')]//li")


def test_posted_title_is_ignored(login_as: Any, demo_engine: ProcessEngine) -> None:
    _, task_id = analysis_task(demo_engine)
    forged = {**ANALYSIS_POST, "hendelser[0].tittel": "Forfalsket tittel"}

    response = post_analysis(login_as("ola.ansatt"), task_id, forged)
    html = response.get_data(as_text=True)

    assert "Forfalsket tittel" not in html
    assert texts(form_tree(html), "//dl[contains(@class, 'sloyfe-read-only')]/dd")[0] == \
        "Feil legemiddel gitt"


def test_corrected_analysis_stores_every_event(login_as: Any,
                                               demo_engine: ProcessEngine) -> None:
    instance_id, task_id = analysis_task(demo_engine)
    client = login_as("ola.ansatt")
    rejected = post_analysis(client, task_id, ANALYSIS_POST)
    corrected = corrected_post(rejected, {
        "hendelser[1].aarsaker": "Nøkkel på avveie.",
        "hendelser[2].aarsaker": "Gammelt elektrisk anlegg.",
        "hendelser[2].sannsynlighet": "1", "hendelser[2].konsekvens": "4",
        "hendelser[2].kunnskapsstyrke": "svak"})

    response = post_analysis(client, task_id, corrected)

    assert response.status_code == 302
    with demo_engine.transaction(read_only=True):
        evaluation = demo_engine.tasks.open_tasks_of_instance(instance_id, "EvaluerRisiko")[0]
        events = demo_engine.tasks.variables(evaluation)["hendelser"]
    assert [event["tittel"] for event in events] == [event["tittel"] for event in EVENTS]
    assert [event["aarsaker"] for event in events] == \
        ["Like pakninger.", "Nøkkel på avveie.", "Gammelt elektrisk anlegg."]
    assert [event["sannsynlighet"] for event in events] == [4, 2, 1]


def test_analysis_without_third_row_keeps_event(login_as: Any,
                                                demo_engine: ProcessEngine) -> None:
    """A post that leaves out a stored row still shows it, so the event cannot vanish."""
    _, task_id = analysis_task(demo_engine)
    first_two = {name: value for name, value in ANALYSIS_POST.items()
                 if not name.startswith("hendelser[2]")}

    response = post_analysis(login_as("ola.ansatt"), task_id, first_two)
    root = form_tree(response.get_data(as_text=True))

    assert response.status_code == 422
    assert "Brann på lageret" in texts(root, "//dl[contains(@class, 'sloyfe-read-only')]/dd")


# --- events identified: a list with add and remove buttons -------------------------------------

def identification_task(engine: ProcessEngine) -> str:
    instance_id = engine.runtime.start("risikovurdering", "ola.ansatt", ORDER).instance_id
    complete(engine, instance_id, "Planlegg", "ola.ansatt", PLAN)
    complete(engine, instance_id, "GodkjennMandat", "lise.leder",
             {"beslutning_mandat": "godkjenn"})
    task_id = open_task_id(engine, instance_id, "IdentifiserHendelser")
    engine.tasks.claim(task_id, "ola.ansatt")
    return task_id


# Row 2 is empty, and row 3 has a description but no title.
IDENTIFICATION_POST = {
    "hendelser[0]": "", "hendelser[0].tittel": "Feil legemiddel gitt",
    "hendelser[0].beskrivelse": "",
    "hendelser[1]": "", "hendelser[1].tittel": "", "hendelser[1].beskrivelse": "",
    "hendelser[2]": "", "hendelser[2].tittel": "",
    "hendelser[2].beskrivelse": "Pasienten får feil dose.",
    "hendelser[3]": "", "hendelser[3].tittel": "Brann på lageret",
    "hendelser[3].beskrivelse": "",
}


def test_empty_row_is_reported_in_place(login_as: Any, demo_engine: ProcessEngine) -> None:
    task_id = identification_task(demo_engine)

    response = login_as("ola.ansatt").post(f"/oppgaver/{task_id}", data=IDENTIFICATION_POST)
    root = form_tree(response.get_data(as_text=True))

    assert response.status_code == 422
    assert texts(root, "//fieldset[@id='field-hendelser[1]']/div[@data-field='validation']") \
        == ["Rad 2 er tom. Fyll den ut eller fjern raden."]
    summary_link = ("//*[contains(@class, 'ds-error-summary')]"
                    "//a[@href='#field-hendelser[1].tittel']")
    assert texts(root, summary_link) == \
        ["Uønskede hendelser: Rad 2 er tom. Fyll den ut eller fjern raden."]


def test_partial_row_reports_missing_title(login_as: Any, demo_engine: ProcessEngine) -> None:
    task_id = identification_task(demo_engine)

    response = login_as("ola.ansatt").post(f"/oppgaver/{task_id}", data=IDENTIFICATION_POST)
    root = form_tree(response.get_data(as_text=True))

    assert root.xpath("//*[@aria-invalid='true']/@name") == ["hendelser[2].tittel"]


def test_rows_after_empty_row_are_kept(login_as: Any, demo_engine: ProcessEngine) -> None:
    task_id = identification_task(demo_engine)

    response = login_as("ola.ansatt").post(f"/oppgaver/{task_id}", data=IDENTIFICATION_POST)
    root = form_tree(response.get_data(as_text=True))

    for name, typed in IDENTIFICATION_POST.items():
        if "." in name:
            assert value_of(root, name) == typed, name
    assert root.xpath("//button/@value").count("remove:hendelser:1") == 1


def test_corrected_events_are_all_stored(login_as: Any, demo_engine: ProcessEngine) -> None:
    task_id = identification_task(demo_engine)
    client = login_as("ola.ansatt")
    rejected = client.post(f"/oppgaver/{task_id}", data=IDENTIFICATION_POST)
    corrected = corrected_post(rejected, {"hendelser[1].tittel": "Legemidler på avveie",
                                          "hendelser[2].tittel": "Feil dose"})

    response = client.post(f"/oppgaver/{task_id}", data=corrected)

    assert response.status_code == 302
    with demo_engine.transaction(read_only=True):
        task = demo_engine.tasks.get(task_id)
        stored = task.submitted_data["hendelser"]
    assert [event["tittel"] for event in stored] == [
        "Feil legemiddel gitt", "Legemidler på avveie", "Feil dose", "Brann på lageret"]


def test_empty_last_row_is_reported(login_as: Any, demo_engine: ProcessEngine) -> None:
    task_id = identification_task(demo_engine)
    data = {"hendelser[0]": "", "hendelser[0].tittel": "Feil legemiddel gitt",
            "hendelser[1]": "", "hendelser[1].tittel": "", "hendelser[1].beskrivelse": ""}

    response = login_as("ola.ansatt").post(f"/oppgaver/{task_id}", data=data)
    root = form_tree(response.get_data(as_text=True))

    assert response.status_code == 422
    assert texts(root, "//fieldset[@id='field-hendelser[1]']/legend") == ["Rad 2"]


# --- distribution of decision points: read-only case fields above a list -----------------------

DECISION: dict[str, Any] = {
    "utvalg": "kommunestyret",
    "motedato": "2026-12-14",
    "politisk_saksnummer": "PS 112/26",
    "arkivsaksnummer": "26/01234",
    "tittel": "Fast lege på sykehjemmet",
    "vedtakstype": "verbalvedtak",
    "vedtakstekst": "Sykehjemmet får fast lege to dager i uken.",
    "vedtakspunkter": [{"tekst": "Sykehjemmet får fast lege to dager i uken."}],
}


def distribution_task(engine: ProcessEngine) -> str:
    instance_id = engine.runtime.start("politisk-vedtak", "siri.sekretariat",
                                       DECISION).instance_id
    task_id = open_task_id(engine, instance_id, "FordelVedtakspunkter")
    engine.tasks.claim(task_id, "siri.sekretariat")
    return task_id


def test_distribution_error_shows_case_fields(login_as: Any,
                                              demo_engine: ProcessEngine) -> None:
    task_id = distribution_task(demo_engine)
    data = {"tittel": "Forfalsket", "fordeling[0]": "",
            "fordeling[0].tekst": "Sykehjemmet får fast lege to dager i uken.",
            "fordeling[0].enhet": "sykehjem", "fordeling[0].ansvarlig": "",
            "fordeling[0].frist": "30.06.2027"}

    response = login_as("siri.sekretariat").post(f"/oppgaver/{task_id}", data=data)
    root = form_tree(response.get_data(as_text=True))

    assert response.status_code == 422
    assert texts(root, "//dl[contains(@class, 'sloyfe-read-only')]/dd") == [
        DECISION["tittel"], DECISION["politisk_saksnummer"], DECISION["vedtakstekst"]]
    assert value_of(root, "fordeling[0].enhet") == "sykehjem"
    assert root.xpath("//*[@aria-invalid='true']/@name") == ["fordeling[0].ansvarlig"]


# --- conversation planning: rows whose only input is a radio group -----------------------------

def test_unanswered_planning_row_is_reported(login_as: Any,
                                             demo_engine: ProcessEngine) -> None:
    """The second employee's row posts no value, because no radio button is chosen."""
    planning_id = start_round(demo_engine)
    task_id = open_task(demo_engine, planning_id, "PlanleggSamtaler").id
    demo_engine.tasks.claim(task_id, "lise.leder")
    with demo_engine.transaction(read_only=True):
        task = demo_engine.tasks.get(task_id)
        names = [row["navn"] for row in demo_engine.tasks.variables(task)["samtaler"]]

    response = login_as("lise.leder").post(f"/oppgaver/{task_id}",
                                           data={"samtaler[0].samtale_i_aar": "ja"})
    root = form_tree(response.get_data(as_text=True))

    assert len(names) == 2
    assert response.status_code == 422
    assert texts(root, "//fieldset[contains(@class, 'sloyfe-list-row')]/legend") == \
        ["Rad 1", "Rad 2"]
    assert texts(root, "//dt[.='Navn']/following-sibling::dd") == names
    assert set(root.xpath("//*[@aria-invalid='true']/@name")) == {"samtaler[1].samtale_i_aar"}

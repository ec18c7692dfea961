"""The scenarios of the demo history: what the demo people do, step by step, over the year.

Each `plan_*` function returns (start time, scenario) pairs for engine.demo_history. A scenario
performs one step each time it resumes and yields when it next wants to act. The random
choices come from the simulation's seeded generator, so every run makes the same history.
"""

from __future__ import annotations

import logging
import zlib
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from engine.demo_history_texts import (
    DECISIONS,
    DEVELOPMENT_GOALS,
    DEVELOPMENT_NEEDS,
    DEVIATIONS,
    EVALUATIONS,
    FINANCE,
    IMMEDIATE_SHORT,
    MEETING_PLACES,
    REJECTIONS,
    RISK_REVIEWS,
    SECRETARY,
    SUGGESTION_REJECTIONS,
    SUGGESTIONS,
    UNIT_LEADERS,
    UNIT_STAFF,
    WORK_GOALS,
    DeviationText,
    RiskReviewText,
)
from engine.runtime.timeexpr import OSLO

if TYPE_CHECKING:
    from engine.demo_history import Scenario, Simulation

log = logging.getLogger(__name__)

Planned = list[tuple[datetime, "Scenario"]]

# Cases per month of history.
DEVIATIONS_PER_MONTH = 4
SUGGESTIONS_PER_MONTH = 1.2
DECISIONS_PER_MONTH = 0.5


def days(count: float) -> timedelta:
    return timedelta(days=count)


def spread(simulation: Simulation, count: int, margin_days: float = 3) -> list[datetime]:
    """`count` working-hour moments spread at random over the history window."""
    span = (simulation.end - simulation.start).total_seconds() - margin_days * 86400
    moments = []
    for _index in range(count):
        offset = timedelta(seconds=simulation.random.uniform(0, max(span, 0)))
        moment = (simulation.start + offset).astimezone(OSLO)
        while moment.weekday() >= 5:
            moment += days(1)
        moments.append(moment.replace(hour=simulation.random.randint(7, 14),
                                      minute=simulation.random.randint(0, 59)))
    return sorted(moments)


def stable_fraction(*parts: Any) -> float:
    """A number in [0, 1) that depends only on `parts`, for choices that must not depend on
    the order in which the simulation reaches them nor on database ids."""
    return zlib.crc32("|".join(map(str, parts)).encode()) / 2**32


def months_of(simulation: Simulation) -> float:
    return (simulation.end - simulation.start).days / (365 / 12)


# --- avvik ------------------------------------------------------------------------------------

def plan_deviations(simulation: Simulation) -> Planned:
    rng = simulation.random
    count = max(6, round(DEVIATIONS_PER_MONTH * months_of(simulation)))
    planned: Planned = []
    for index, moment in enumerate(spread(simulation, count)):
        text = DEVIATIONS[index % len(DEVIATIONS)] if index < len(DEVIATIONS) else \
            rng.choice(DEVIATIONS)
        path = rng.choices(("full", "reject", "transfer", "stall_measure"),
                           weights=(76, 8, 6, 10))[0]
        planned.append((moment, deviation(simulation, text, path)))
    # A few recent reports that nobody has assessed yet, so the task lists hold overdue and
    # escalated assessments.
    for days_before in (16, 9, 4):
        moment = simulation.end - days(days_before)
        planned.append((moment, deviation(simulation, rng.choice(DEVIATIONS), "stall_assess")))
    # And a measure of the nursing home's that runs past its deadline in an employee's list.
    planned.append((simulation.end - days(60), deviation(
        simulation, DEVIATIONS[0], "stall_measure", unit="sykehjem", reporter="ola.ansatt")))
    return planned


def deviation(simulation: Simulation, text: DeviationText, path: str,
              unit: str | None = None, reporter: str | None = None) -> Scenario:
    rng = simulation.random
    unit = unit or rng.choice(text.units)
    leader = UNIT_LEADERS[unit]
    reporter = reporter or rng.choice(UNIT_STAFF[unit])
    severity = rng.choice(text.severities)
    serious = text.injury and severity in ("Høy", "Kritisk")
    happened = simulation.now() - timedelta(hours=rng.randint(1, 20))
    report: dict[str, Any] = {
        "tittel": text.title, "hva_skjedde": text.what_happened,
        "tidspunkt": simulation.datetime_text(happened), "sted": rng.choice(text.places),
        "enhet": unit, "kategori": text.kind, "underkategori": text.subkind,
        "alvorlighetsgrad": severity, "faktisk_konsekvens": text.actual,
        "potensiell_konsekvens": text.potential, "strakstiltak_melder": IMMEDIATE_SHORT,
        "personopplysninger": text.personal_data, "personskade": text.injury,
        "alvorlig_hendelse": serious}
    if text.personal_data:
        report["oppdaget"] = simulation.datetime_text(happened, hours=0.5)
    instance_id = simulation.start_case("avvik", reporter, report)

    if serious:
        yield timedelta(minutes=rng.randint(15, 50))
        simulation.complete(instance_id, "VarsleMyndigheter", {
            "arbeidstilsynet_varslet": True, "politi_varslet": True,
            "myndigheter_varslet_tidspunkt": simulation.datetime_text(),
            "varsling_kommentar": "Varslet på telefon."})
    if text.personal_data:
        yield simulation.working_time(days(rng.uniform(0.1, 1.5)))
        reported = rng.random() < 0.3
        answer: dict[str, Any] = {
            "meldt_datatilsynet": "ja" if reported else "nei",
            "begrunnelse_datatilsynet": "Opplysningene kan gi risiko for den registrerte."
            if reported else "Lav risiko: opplysningene ble slettet straks."}
        if reported:
            year = simulation.local().year % 100
            answer["datatilsynet_referanse"] = f"{year:02d}/0{rng.randint(1000, 9999)}"
            answer["meldt_datatilsynet_tidspunkt"] = simulation.datetime_text()
        simulation.complete(instance_id, "VurderDatatilsynet", answer)
    if path == "stall_assess":
        return

    # The assessment is due in three days; some leaders are late and get the reminder.
    yield simulation.working_time(days(rng.choice((0, 0, 1, 1, 2, 3, 4, 6))))
    assessment = {"alvorlighetsgrad": severity, "personopplysninger": text.personal_data,
                  "personskade": text.injury, "alvorlig_hendelse": serious}
    if text.personal_data:
        assessment["oppdaget"] = report["oppdaget"]
    if path == "reject":
        simulation.complete(instance_id, "VurderAvvik", {
            **assessment, "beslutning": "avvis", "begrunnelse": rng.choice(REJECTIONS)})
        return
    if path == "transfer":
        other = rng.choice([code for code in UNIT_LEADERS if code != unit])
        simulation.complete(instance_id, "VurderAvvik", {
            **assessment, "beslutning": "overfor", "ny_enhet": other,
            "begrunnelse_overforing": "Hendelsen skjedde i en annen enhets ansvarsområde."})
        unit, leader = other, UNIT_LEADERS[other]
        yield simulation.working_time(days(rng.randint(1, 3)))
    simulation.complete(instance_id, "VurderAvvik", {**assessment, "beslutning": "godta"},
                        user=leader)

    yield timedelta(hours=rng.uniform(0.5, 3))
    simulation.complete(instance_id, "Strakstiltak", {"strakstiltak": text.immediate})

    yield simulation.working_time(days(rng.randint(2, 10)))
    owners = (*UNIT_STAFF[unit], leader)
    count = rng.choice((0, 1, 1, 2, 2)) if len(text.measures) > 1 else rng.choice((0, 1, 1))
    if path == "stall_measure":
        count = max(count, 1)
    measures = [{"tittel": title, "ansvarlig": rng.choice(owners),
                 "frist": simulation.date_text(days=rng.randint(14, 45))}
                for title in text.measures[:count]]
    if path == "stall_measure":
        measures[-1]["ansvarlig"] = reporter  # the reporter takes on the measure left undone
    simulation.complete(instance_id, "AnalyserAarsak", {
        "aarsak": text.cause, "faktisk_konsekvens": text.actual,
        "potensiell_konsekvens": text.potential, "tiltak": measures})

    if measures:
        # Each owner finishes near the deadline: most before it, some after it.
        finish = sorted((datetime.fromisoformat(m["frist"]).replace(hour=12, tzinfo=OSLO)
                         + days(rng.randint(-10, 6)), m["tittel"]) for m in measures)
        stalled = measures[-1]["tittel"] if path == "stall_measure" else None
        for moment, title in finish:
            if title == stalled:
                continue  # never reported done, so it runs past its deadline
            yield moment
            task = next((t for t in simulation.open_tasks(instance_id, "GjennomforTiltak")
                         if t.name.endswith(title)), None)
            if task is None:
                return
            simulation.complete_task(task, {"tiltak_element": {
                "status": rng.choices(("gjennomfort", "delvis"), weights=(85, 15))[0],
                "gjennomforing": "Tiltaket er innført og gjort kjent i personalgruppen."}})
        if stalled:
            return
        yield simulation.working_time(days(rng.randint(3, 21)))
        effect = rng.choices(("ja", "delvis", "nei"), weights=(70, 25, 5))[0]
        simulation.complete(instance_id, "EvaluerTiltak",
                            {"effekt": effect, "evaluering": EVALUATIONS[effect]})

    yield simulation.working_time(days(rng.randint(0, 5)))
    simulation.complete(instance_id, "LukkAvvik", {
        "konklusjon": f"Årsaken er funnet: {text.cause[0].lower()}{text.cause[1:]}",
        "laeringspunkt": text.learning, "lukket_dato": simulation.date_text()})


# --- forbedringsforslag -----------------------------------------------------------------------

def plan_suggestions(simulation: Simulation) -> Planned:
    count = max(3, round(SUGGESTIONS_PER_MONTH * months_of(simulation)))
    moments = spread(simulation, count)
    # Two recent suggestions, so that some are still being assessed or carried out.
    moments += [simulation.end - days(33), simulation.end - days(6)]
    return [(moment, suggestion(simulation, index)) for index, moment in enumerate(moments)]


def suggestion(simulation: Simulation, index: int) -> Scenario:
    rng = simulation.random
    text = SUGGESTIONS[index % len(SUGGESTIONS)]
    unit = rng.choice(tuple(UNIT_STAFF))
    proposer = rng.choice(UNIT_STAFF[unit])
    instance_id = simulation.start_case("forbedringsforslag", proposer, {
        "tittel": text.title, "beskrivelse": text.description, "forbedrer": text.improves,
        "gevinst": text.gain, "enhet": unit})

    yield simulation.working_time(days(rng.randint(1, 20)))
    if rng.random() < 0.25:
        simulation.complete(instance_id, "VurderForslag", {
            "beslutning": "avsla", "begrunnelse": rng.choice(SUGGESTION_REJECTIONS)})
        return
    deadline = rng.randint(21, 60)
    owner = rng.choice((*UNIT_STAFF[unit], UNIT_LEADERS[unit]))
    simulation.complete(instance_id, "VurderForslag", {
        "beslutning": "gjennomfor", "plan": text.plan, "ansvarlig": owner,
        "frist_gjennomforing": simulation.date_text(days=deadline)})

    yield simulation.working_time(days(deadline + rng.randint(-15, 8)))
    simulation.complete(instance_id, "GjennomforForslag", {
        "gjennomforing": text.done, "gjennomfort_dato": simulation.date_text()})


# --- politisk-vedtak ----------------------------------------------------------------------------

def plan_decisions(simulation: Simulation) -> Planned:
    count = max(2, round(DECISIONS_PER_MONTH * months_of(simulation)))
    return [(moment, decision(simulation, index))
            for index, moment in enumerate(spread(simulation, count, margin_days=20))]


def point_task(simulation: Simulation, instance_id: int, element_id: str, number: int) -> Any:
    prefix = f"Punkt {number}:"
    return next((task for task in simulation.open_tasks(instance_id, element_id)
                 if prefix in task.name), None)


def decision(simulation: Simulation, index: int) -> Scenario:
    rng = simulation.random
    text = DECISIONS[index % len(DECISIONS)]
    meeting = simulation.now() - days(rng.randint(1, 6))
    year = meeting.astimezone(OSLO).year % 100
    case_number = rng.randint(10, 150)
    instance_id = simulation.start_case("politisk-vedtak", SECRETARY, {
        "utvalg": text.body, "motedato": simulation.date_text(meeting),
        "politisk_saksnummer": f"PS {case_number}/{year:02d}",
        # A block of 100 numbers per decision, because a number may start only one case.
        "arkivsaksnummer": f"{year:02d}/{100 * (index + 1) + rng.randint(0, 99):05d}",
        "tittel": text.title, "vedtakstype": text.kind,
        "vedtakstekst": " ".join(f"{n}. {point}" for n, (point, _unit)
                                 in enumerate(text.points, start=1)),
        "vedtakspunkter": [{"tekst": point} for point, _unit in text.points]})

    yield simulation.working_time(days(rng.randint(2, 12)))
    deadlines = [rng.randint(45, 200) for _point in text.points]
    simulation.complete(instance_id, "FordelVedtakspunkter", {"fordeling": [
        {"tekst": point, "enhet": unit, "ansvarlig": UNIT_LEADERS[unit],
         "frist": simulation.date_text(days=deadline)}
        for (point, unit), deadline in zip(text.points, deadlines, strict=True)]})

    # The points run side by side; each is its own scenario from here.
    for number, deadline in enumerate(deadlines, start=1):
        outcome = rng.choices(("done", "obstacle", "late", "open"), weights=(55, 10, 15, 20))[0]
        finish = simulation.now() + days(deadline * rng.uniform(0.4, 0.95))
        if outcome == "late":
            finish = simulation.now() + days(deadline + rng.randint(5, 40))
        if outcome != "open":
            simulation.schedule(finish, decision_point(simulation, instance_id, number,
                                                       outcome))


def decision_point(simulation: Simulation, instance_id: int, number: int,
                   outcome: str) -> Scenario:
    rng = simulation.random
    task = point_task(simulation, instance_id, "IverksettVedtak", number)
    if task is None:
        return
    if outcome == "obstacle":
        simulation.complete_task(task, {
            "utfall": "hinder", "hinder": "Tiltaket koster mer enn rammen i vedtaket."})
        yield simulation.working_time(days(rng.randint(5, 20)))
        task = point_task(simulation, instance_id, "OrienterUtvalget", number)
        if task is None:
            return
        simulation.complete_task(task, {
            "orientering": "Utvalget orienteres om kostnaden og bes ta stilling til saken."})
        yield simulation.working_time(days(rng.randint(14, 40)))
        task = point_task(simulation, instance_id, "RegistrerAvklaring", number)
        if task is None:
            return
        simulation.complete_task(task, {
            "avklaring": "fortsett", "ny_frist": simulation.date_text(days=90),
            "avklaring_vedtak": "Utvalget ba om at arbeidet fortsetter med ny frist."})
        yield simulation.working_time(days(rng.randint(30, 80)))
        task = point_task(simulation, instance_id, "IverksettVedtak", number)
        if task is None:
            return
    simulation.complete_task(task, {"utfall": "iverksatt",
                                    "gjennomforing": "Gjennomført som vedtatt."})

    yield simulation.working_time(days(rng.randint(1, 10)))
    task = point_task(simulation, instance_id, "BekreftFullfort", number)
    if task is not None:
        simulation.complete_task(task, {"bekreftet": "ja"})


# --- medarbeidersamtale ---------------------------------------------------------------------------

PLANNING = "medarbeidersamtale-planlegging"


def plan_conversations(simulation: Simulation) -> Planned:
    return [(simulation.start + timedelta(minutes=1), conversation_rounds(simulation))]


def conversation_rounds(simulation: Simulation) -> Scenario:
    """Wait for the yearly timer to start the planning of each unit, then plan them."""
    rng = simulation.random
    seen: set[int] = set()
    while True:
        for planning in simulation.instances(PLANNING, simulation.start):
            if planning.id in seen:
                continue
            seen.add(planning.id)
            # The yearly round's own case starts one planning case per unit and plans nothing.
            if simulation.has_task(planning.id, "PlanleggSamtaler"):
                simulation.schedule(simulation.working_time(days(rng.randint(1, 16))),
                                    conversation_planning(simulation, planning.id))
        yield days(7)


def conversation_planning(simulation: Simulation, planning_id: int) -> Scenario:
    rows = simulation.variables(planning_id).get("samtaler") or []
    if not simulation.complete(planning_id, "PlanleggSamtaler",
                               {"samtaler": [{"samtale_i_aar": "ja"} for _row in rows]}):
        return
    simulation.engine.management.run_due()  # the scheduler starts the conversation cases
    started = simulation.variables(planning_id).get("startede_samtaler") or []
    for row in started:
        simulation.schedule(simulation.working_time(days(simulation.random.randint(1, 20))),
                            conversation(simulation, row["samtale"]))
    yield days(1)


def conversation(simulation: Simulation, conversation_id: int) -> Scenario:
    rng = simulation.random
    values = simulation.variables(conversation_id)
    notice = int(values.get("varsel_dager") or 7)
    deadline = datetime.fromisoformat(str(values["frist"])[:10]).replace(hour=14, tzinfo=OSLO)
    meeting = simulation.local(simulation.now() + days(notice + rng.randint(1, 25)))
    meeting = min(meeting.replace(hour=rng.choice((9, 10, 13, 14)), minute=0), deadline)
    while meeting.weekday() >= 5:
        meeting -= days(1)
    if meeting.date() < (simulation.local() + days(notice)).date():
        return  # too late to give notice: the superior follows the conversation up
    if not simulation.complete(conversation_id, "SendInnkalling", {
            "samtaletidspunkt": meeting.isoformat(), "sted": rng.choice(MEETING_PLACES),
            "innkalling_melding": "Velkommen til årets samtale. Forbered deg med skjemaet."}):
        return
    stalls = stable_fraction(values.get("medarbeider"), values.get("frist"), "stall")
    yield max(meeting - days(rng.randint(2, 5)), simulation.now())
    simulation.complete(conversation_id, "ForberedMedarbeider", {
        "forberedelse_arbeid": "Jeg trives med oppgavene, men har mye å gjøre i perioder.",
        "forberedelse_samarbeid": "Godt samarbeid i teamet.",
        "forberedelse_onsker": rng.choice(DEVELOPMENT_GOALS)})
    yield max(meeting - days(1), simulation.now())
    simulation.complete(conversation_id, "ForberedLeder",
                        {"leders_forberedelse": "Gå gjennom målene fra i fjor."})
    if stalls < 0.08:
        return  # the meeting was postponed and not yet held
    yield max(meeting + timedelta(hours=1), simulation.now())
    simulation.complete(conversation_id, "GjennomforSamtale", {
        "arbeidsmaal": rng.choice(WORK_GOALS), "utviklingsmaal": rng.choice(DEVELOPMENT_GOALS),
        "utviklingsbehov": rng.sample(DEVELOPMENT_NEEDS, rng.randint(1, 3)),
        "tiltak": [{"beskrivelse": "Kurs eller hospitering etter avtale", "ansvarlig":
                    rng.choice(("medarbeider", "leder", "begge")),
                    "frist": simulation.date_text(days=rng.randint(60, 180))}]})
    if stalls < 0.14:
        return  # the employee has not confirmed the summary yet
    yield simulation.working_time(days(rng.randint(1, 6)))
    simulation.complete(conversation_id, "BekreftOppsummering", {
        "bekreftet": True, "kommentar": rng.choice(("", "", "Jeg ønsker mer tid til faglig "
                                                    "oppdatering."))})


# --- risikovurdering ----------------------------------------------------------------------------

def plan_risk_reviews(simulation: Simulation) -> Planned:
    if not simulation.is_deployed("risikovurdering"):
        log.info("demo history skips risk reviews: process risikovurdering is not deployed")
        return []
    length = simulation.end - simulation.start
    # Started at about a tenth, a half and nine tenths of the window: finished, at its
    # measures, and still being analysed.
    starts = (0.1, 0.5, 0.9)
    return [(simulation.start + length * share, risk_review(simulation, text, stop))
            for share, text, stop in zip(starts, RISK_REVIEWS, ("approved", "measures",
                                                               "analysis"), strict=True)]


def risk_review(simulation: Simulation, text: RiskReviewText, stop: str) -> Scenario:
    rng = simulation.random
    owner = UNIT_LEADERS[text.unit]
    instance_id = simulation.start_case("risikovurdering", owner, {
        "tittel": text.title, "enhet": text.unit, "risikoeier": owner,
        "prosessleder": text.process_leader})

    yield simulation.working_time(days(rng.randint(2, 6)))
    simulation.complete(instance_id, "Planlegg", {
        "tittel": text.title, "formaal": text.purpose, "omfang": text.scope,
        "deltakere": list(text.participants) or [owner],
        "skala_sannsynlighet": "1 – sjeldnere enn hvert tiende år … 5 – flere ganger i året",
        "skala_konsekvens": "1 – ingen skade … 5 – død eller varig skade",
        "akseptkriterier": "Lav og Middels er akseptabelt. Høy krever tiltak.",
        "frist": simulation.date_text(days=60)})
    yield simulation.working_time(days(rng.randint(1, 4)))
    simulation.complete(instance_id, "GodkjennMandat", {"beslutning_mandat": "godkjenn"})

    yield simulation.working_time(days(rng.randint(5, 12)))
    simulation.complete(instance_id, "IdentifiserHendelser", {"hendelser": [
        {"tittel": event[0], "beskrivelse": event[1]} for event in text.events]})
    if stop == "analysis":
        return
    yield simulation.working_time(days(rng.randint(5, 12)))
    simulation.complete(instance_id, "AnalyserRisiko", {"hendelser": [
        {"aarsaker": event[2], "barrierer": event[3], "sannsynlighet": event[4],
         "konsekvens": event[5], "kunnskapsstyrke": event[6]} for event in text.events]})

    yield simulation.working_time(days(rng.randint(3, 8)))
    deadlines = [rng.randint(20, 50) for _measure in text.measures]
    simulation.complete(instance_id, "EvaluerRisiko", {
        "evaluering": f"{text.events[0][0]} ligger over akseptgrensen og krever tiltak.",
        "tiltak": [{"tittel": title, "hendelse": event, "ansvarlig":
                    rng.choice(UNIT_STAFF[text.unit]), "frist": simulation.date_text(days=due)}
                   for (title, event), due in zip(text.measures, deadlines, strict=True)]})

    measures = sorted(simulation.open_tasks(instance_id, "GjennomforTiltak"),
                      key=lambda task: task.due_at or task.created_at)
    for index, task in enumerate(measures):
        if stop == "measures" and index == len(measures) - 1:
            return  # the last measure is still open and runs past its deadline
        yield max((task.due_at or simulation.now()) - days(rng.randint(0, 10)),
                  simulation.now())
        simulation.complete_task(task, {"gjennomforing": "Tiltaket er innført."})

    yield simulation.working_time(days(rng.randint(3, 10)))
    simulation.complete(instance_id, "VurderRestrisiko", {
        "hendelser": [{"rest_sannsynlighet": max(1, event[4] - 1),
                       "rest_konsekvens": event[5]} for event in text.events],
        "beslutning_restrisiko": "godkjenn",
        "kommentar_restrisiko": "Restrisikoen er akseptabel med tiltakene som er innført."})


# --- budsjett --------------------------------------------------------------------------------

FRAMES = {"sykehjem": 80_000_000, "hjemmetjenesten": 45_000_000,
          "eksempel-skole": 30_000_000}


def plan_budget(simulation: Simulation) -> Planned:
    if not simulation.is_deployed("budsjett"):
        log.info("demo history skips the budget cycle: process budsjett is not deployed")
        return []
    start = simulation.local(simulation.start)
    new_year = datetime(start.year + 1, 1, 1, tzinfo=OSLO)
    year = new_year.year if new_year <= simulation.end else start.year
    begin = max(datetime(year, 1, 4, 9, 0, tzinfo=OSLO), start + timedelta(hours=1))
    return [(begin, budget_year(simulation, year))]


def budget_year(simulation: Simulation, year: int) -> Scenario:
    """Run one budget year: by the yearly timer when it started the year, else by hand."""
    since = datetime(year, 1, 1, tzinfo=OSLO)
    started = [instance for instance in simulation.instances("budsjett", since)
               if instance.business_key and f"-{year}-" in instance.business_key]
    if started:
        instance_id = started[0].id
    else:
        instance_id = simulation.start_case("budsjett", FINANCE, {"budsjettaar": str(year)})
    rng = simulation.random

    def on(month: int, day: int, hour: int = 10) -> datetime:
        return max(datetime(year, month, day, hour, 0, tzinfo=OSLO),
                   simulation.now() + timedelta(hours=1))

    yield on(2, 15)
    simulation.complete(instance_id, "AvleggAarsregnskap", {
        "regnskap_avlagt": simulation.date_text(), "netto_driftsresultat": 12_500_000})
    yield on(3, 25)
    simulation.complete(instance_id, "LeggFramAarsrapport", {
        "aarsrapport_dato": simulation.date_text(),
        "aarsrapport_sammendrag": "Driften gikk i balanse, med merforbruk i pleie og omsorg."})
    for number, month in ((1, 5), (2, 9)):
        yield on(month, rng.randint(6, 12))
        for task in simulation.open_tasks(instance_id, f"T{number}LeverPrognose"):
            unit = next(group.split("@", 1)[1] for group in task.candidate_groups
                        if group.startswith("leder@"))
            frame = FRAMES.get(unit, 10_000_000)
            simulation.complete_task(task, {"prognose": {
                "ramme": frame, "aarsprognose": frame + rng.randint(-15, 30) * 100_000,
                "forklaring": "Lønn og vikarbruk.", "justering": None}})
        yield on(month, rng.randint(18, 24))
        simulation.complete(instance_id, f"T{number}Tertialrapport", {
            "tertial_vurdering": "Pleie og omsorg ligger an til merforbruk; øvrige i rute."})
        if number == 1:
            yield on(6, 15)
            simulation.complete(instance_id, "FastsettRammer", {"rammer": [
                {"enhet": unit, "ramme": frame} for unit, frame in FRAMES.items()]})
    yield on(11, 10)
    simulation.complete(instance_id, "LeggFramForslag", {
        "okonomiplan_til": str(year + 4), "forslag_sammendrag": "Balanse i hele planperioden.",
        "rammer": [{"enhet": unit, "ramme": frame + 1_000_000}
                   for unit, frame in FRAMES.items()]})
    yield on(11, 26)
    simulation.complete(instance_id, "LeggUtInnstilling", {
        "formannskap_dato": simulation.date_text(), "kommunestyremote": f"{year}-12-14",
        "innstilling": "Som kommunedirektørens forslag."})
    yield on(12, 14, 18)
    simulation.complete(instance_id, "RegistrerVedtak", {
        "vedtaksdato": simulation.date_text(), "vedtatt": "ja",
        "okonomiplan_til": str(year + 4), "vedtak": "Vedtatt som innstilt.",
        "rammer": [{"enhet": unit, "ramme": frame + 2_000_000}
                   for unit, frame in FRAMES.items()]}, user=SECRETARY)


# --- tasks that timers open -------------------------------------------------------------------

SWEPT = {
    # element id: (days a task waits before someone does it, share never done, form values)
    "RapporterStatus": (4, 0.1, {"rapport_status": "Under arbeid",
                                 "rapport_kommentar": "Arbeidet går etter planen."}),
    "Oppfolgingssamtale": (20, 0.2, {"oppfolging_status": "Målene følges opp som avtalt.",
                                     "oppfolging_endringer": ""}),
    "FolgOppLedersamtaler": (5, 0.0, {"oppfolging_overordnet":
                                      "Lederen har satt av tid til samtalene neste måned."}),
    "FolgOppMedarbeidersamtaler": (5, 0.0, {"oppfolging_overordnet":
                                            "Lederen har satt av tid til samtalene neste måned."}),
}


def plan_sweeps(simulation: Simulation) -> Planned:
    return [(simulation.start + days(1), sweep(simulation))]


def sweep(simulation: Simulation) -> Scenario:
    """Do the tasks that timers open (status reports, follow-up conversations) a few days
    after they appear, as their owners would; a share of them is left undone."""
    from sqlalchemy import select

    from engine.models import Task

    while True:
        with simulation.engine.transaction(read_only=True):
            tasks = list(simulation.engine.uow.session.scalars(
                select(Task).where(Task.state == "open", Task.element_id.in_(SWEPT))
                .order_by(Task.created_at, Task.instance_id, Task.name)))
        for task in tasks:
            wait, undone, values = SWEPT[task.element_id]
            chance = stable_fraction(task.element_id, task.name, task.created_at.isoformat())
            if chance < undone:
                continue
            if simulation.now() - task.created_at >= days(wait * (0.5 + chance)):
                simulation.complete_task(task, values)
        yield days(1)


SCENARIOS = (plan_sweeps, plan_deviations, plan_suggestions, plan_decisions,
             plan_conversations, plan_risk_reviews, plan_budget)

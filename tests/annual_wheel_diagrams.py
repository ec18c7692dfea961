"""Small processes with every kind of timer the annual wheel reads, for its tests."""

from __future__ import annotations

from engine.engine import ProcessEngine

HEADER = ('<?xml version="1.0" encoding="UTF-8"?>\n'
          '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
          'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">\n')

# A yearly plan: a timer start event, and a plain start for a report task with a due date
# from a variable (marked as a legal deadline for the wheel) and six boundary timers: a fixed
# date, a date from a variable, a dated monthly cycle, a date from an expression without
# variables, a date from the clock, and a fixed date the wheel is told to leave out.
YEARLY_PLAN = HEADER + """<bpmn:process id="aarsplan" name="Årsplan" isExecutable="true">
  <bpmn:startEvent id="aarlig" name="Årlig planlegging">
    <bpmn:timerEventDefinition><bpmn:timeCycle>{cycle}</bpmn:timeCycle></bpmn:timerEventDefinition>
  </bpmn:startEvent>
  <bpmn:sequenceFlow id="f1" sourceRef="aarlig" targetRef="planlegg" />
  <bpmn:userTask id="planlegg" name="Planlegg året" camunda:candidateUsers="lise.leder" />
  <bpmn:sequenceFlow id="f2" sourceRef="planlegg" targetRef="slutt1" />
  <bpmn:endEvent id="slutt1" />

  <bpmn:startEvent id="manuell" />
  <bpmn:sequenceFlow id="f3" sourceRef="manuell" targetRef="rapporter" />
  <bpmn:userTask id="rapporter" name="Lever tertialrapport" camunda:candidateUsers="lise.leder"
      camunda:dueDate="${{frist}}">
    <bpmn:extensionElements><camunda:properties>
      <camunda:property name="arshjul" value="lovfrist" />
    </camunda:properties></bpmn:extensionElements>
  </bpmn:userTask>
  <bpmn:sequenceFlow id="f4" sourceRef="rapporter" targetRef="slutt2" />
  <bpmn:endEvent id="slutt2" />

  <bpmn:boundaryEvent id="tertialfrist" name="Frist 1. tertial" attachedToRef="rapporter"
      cancelActivity="false">
    <bpmn:timerEventDefinition><bpmn:timeDate>2027-04-30T12:00</bpmn:timeDate></bpmn:timerEventDefinition>
  </bpmn:boundaryEvent>
  <bpmn:sequenceFlow id="f5" sourceRef="tertialfrist" targetRef="slutt3" />
  <bpmn:endEvent id="slutt3" />

  <bpmn:boundaryEvent id="paaminnelse" name="Påminnelse" attachedToRef="rapporter"
      cancelActivity="false">
    <bpmn:timerEventDefinition><bpmn:timeDate>${{paaminnelse}}</bpmn:timeDate></bpmn:timerEventDefinition>
  </bpmn:boundaryEvent>
  <bpmn:sequenceFlow id="f6" sourceRef="paaminnelse" targetRef="slutt4" />
  <bpmn:endEvent id="slutt4" />

  <bpmn:boundaryEvent id="kontroll" name="Månedlig kontroll" attachedToRef="rapporter"
      cancelActivity="false">
    <bpmn:timerEventDefinition><bpmn:timeCycle>"R/2027-03-01T08:00/P1M"</bpmn:timeCycle></bpmn:timerEventDefinition>
  </bpmn:boundaryEvent>
  <bpmn:sequenceFlow id="f7" sourceRef="kontroll" targetRef="slutt5" />
  <bpmn:endEvent id="slutt5" />

  <bpmn:boundaryEvent id="regnskap" name="Frist for årsregnskapet" attachedToRef="rapporter"
      cancelActivity="false">
    <bpmn:timerEventDefinition>
      <bpmn:timeDate>${{date(2027, 2, 22)}}</bpmn:timeDate>
    </bpmn:timerEventDefinition>
  </bpmn:boundaryEvent>
  <bpmn:sequenceFlow id="f9" sourceRef="regnskap" targetRef="slutt7" />
  <bpmn:endEvent id="slutt7" />

  <bpmn:boundaryEvent id="tredager" name="Tre dager etter" attachedToRef="rapporter"
      cancelActivity="false">
    <bpmn:timerEventDefinition>
      <bpmn:timeDate>${{today() + timedelta(days=3)}}</bpmn:timeDate>
    </bpmn:timerEventDefinition>
  </bpmn:boundaryEvent>
  <bpmn:sequenceFlow id="f10" sourceRef="tredager" targetRef="slutt8" />
  <bpmn:endEvent id="slutt8" />

  <bpmn:boundaryEvent id="teknisk" name="Teknisk opprydding" attachedToRef="rapporter"
      cancelActivity="false">
    <bpmn:extensionElements><camunda:properties>
      <camunda:property name="arshjul" value="skjul" />
    </camunda:properties></bpmn:extensionElements>
    <bpmn:timerEventDefinition><bpmn:timeDate>2027-06-01T09:00</bpmn:timeDate></bpmn:timerEventDefinition>
  </bpmn:boundaryEvent>
  <bpmn:sequenceFlow id="f8" sourceRef="teknisk" targetRef="slutt6" />
  <bpmn:endEvent id="slutt6" />
</bpmn:process></bpmn:definitions>"""

# An employee conversation: confidential, read by the group hr, with a task whose name gets
# the employee's name through its title property.
CONVERSATION = HEADER + """<bpmn:process id="samtale" name="Samtale" isExecutable="true">
  <bpmn:extensionElements><camunda:properties>
    <camunda:property name="confidential" value="true" />
    <camunda:property name="readerGroups" value="hr" />
  </camunda:properties></bpmn:extensionElements>
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="forbered" />
  <bpmn:userTask id="forbered" name="Forbered samtalen" camunda:candidateUsers="fatima.ansatt"
      camunda:dueDate="${frist}">
    <bpmn:extensionElements><camunda:properties>
      <camunda:property name="title" value="${navn}" />
    </camunda:properties></bpmn:extensionElements>
  </bpmn:userTask>
  <bpmn:sequenceFlow id="f2" sourceRef="forbered" targetRef="slutt" />
  <bpmn:endEvent id="slutt" />
</bpmn:process></bpmn:definitions>"""

# A budget-like case for the whole municipality with a task for the leader of one unit.
UNIT_TASK = HEADER + """<bpmn:process id="prognose" name="Prognose" isExecutable="true">
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="lever" />
  <bpmn:userTask id="lever" name="Lever prognose" camunda:candidateGroups="leder@${oppgaveenhet}"
      camunda:dueDate="${frist}" />
  <bpmn:sequenceFlow id="f2" sourceRef="lever" targetRef="slutt" />
  <bpmn:endEvent id="slutt" />
</bpmn:process></bpmn:definitions>"""

# A follow-up with two cycles counted from when the case reaches the task: an unbounded
# monthly one and a bounded weekly one.
FOLLOW_UP = HEADER + """<bpmn:process id="oppfolging" name="Oppfølging" isExecutable="true">
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="folg" />
  <bpmn:userTask id="folg" name="Følg opp tiltaket" camunda:candidateUsers="lise.leder" />
  <bpmn:sequenceFlow id="f2" sourceRef="folg" targetRef="slutt" />
  <bpmn:endEvent id="slutt" />
  <bpmn:boundaryEvent id="maanedlig" name="Månedlig oppfølging" attachedToRef="folg"
      cancelActivity="false">
    <bpmn:timerEventDefinition><bpmn:timeCycle>R/P1M</bpmn:timeCycle></bpmn:timerEventDefinition>
  </bpmn:boundaryEvent>
  <bpmn:sequenceFlow id="f3" sourceRef="maanedlig" targetRef="slutt2" />
  <bpmn:endEvent id="slutt2" />
  <bpmn:boundaryEvent id="purring" name="Purring" attachedToRef="folg" cancelActivity="false">
    <bpmn:timerEventDefinition><bpmn:timeCycle>R3/P1W</bpmn:timeCycle></bpmn:timerEventDefinition>
  </bpmn:boundaryEvent>
  <bpmn:sequenceFlow id="f4" sourceRef="purring" targetRef="slutt3" />
  <bpmn:endEvent id="slutt3" />
</bpmn:process></bpmn:definitions>"""

# Accounts closed by a legal date every year: a task with a yearly date and three boundary
# timers on it (a reminder before its due date, an escalation after it, and an interrupting
# answer deadline), and, in parallel, an escalation that no task carries.
ACCOUNTS = HEADER + """<bpmn:process id="regnskap" name="Regnskap" isExecutable="true">
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="del" />
  <bpmn:parallelGateway id="del" />
  <bpmn:sequenceFlow id="f2" sourceRef="del" targetRef="avlegg" />
  <bpmn:sequenceFlow id="f3" sourceRef="del" targetRef="varsle" />
  <bpmn:userTask id="avlegg" name="Avlegg regnskapet" camunda:candidateUsers="lise.leder"
      camunda:dueDate="${{frist}}">
    <bpmn:extensionElements><camunda:properties>
      <camunda:property name="arshjul.dato" value="22.02" />
    </camunda:properties></bpmn:extensionElements>
  </bpmn:userTask>
  <bpmn:sequenceFlow id="f4" sourceRef="avlegg" targetRef="slutt1" />
  <bpmn:endEvent id="slutt1" />

  <bpmn:boundaryEvent id="minn" name="Regnskapet nærmer seg" attachedToRef="avlegg"
      cancelActivity="false">
    <bpmn:timerEventDefinition><bpmn:timeDate>${{paaminnelse}}</bpmn:timeDate></bpmn:timerEventDefinition>
  </bpmn:boundaryEvent>
  <bpmn:sequenceFlow id="f5" sourceRef="minn" targetRef="slutt2" />
  <bpmn:endEvent id="slutt2" />

  <bpmn:boundaryEvent id="passert" name="Regnskapet er for sent" attachedToRef="avlegg"
      cancelActivity="false">
    <bpmn:timerEventDefinition><bpmn:timeDate>${{eskalering}}</bpmn:timeDate></bpmn:timerEventDefinition>
  </bpmn:boundaryEvent>
  <bpmn:sequenceFlow id="f6" sourceRef="passert" targetRef="slutt3" />
  <bpmn:endEvent id="slutt3" />

  <bpmn:boundaryEvent id="svarfrist" name="Svarfrist" attachedToRef="avlegg">
    <bpmn:timerEventDefinition><bpmn:timeDate>${{svarfrist}}</bpmn:timeDate></bpmn:timerEventDefinition>
  </bpmn:boundaryEvent>
  <bpmn:sequenceFlow id="f7" sourceRef="svarfrist" targetRef="slutt4" />
  <bpmn:endEvent id="slutt4" />

  <bpmn:intermediateCatchEvent id="varsle" name="Varsle revisor">
    <bpmn:extensionElements><camunda:properties>
      <camunda:property name="arshjul" value="eskalering" />
    </camunda:properties></bpmn:extensionElements>
    <bpmn:timerEventDefinition><bpmn:timeDate>${{revisor}}</bpmn:timeDate></bpmn:timerEventDefinition>
  </bpmn:intermediateCatchEvent>
  <bpmn:sequenceFlow id="f8" sourceRef="varsle" targetRef="slutt5" />
  <bpmn:endEvent id="slutt5" />
</bpmn:process></bpmn:definitions>"""

# A yearly review: each round is a task, and once it is done the case waits for the next
# review on a date from a variable. The timer declares the interval it recurs at.
REVIEW = HEADER + """<bpmn:process id="gjennomgang" name="Gjennomgang" isExecutable="true">
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="runde" />
  <bpmn:exclusiveGateway id="runde" />
  <bpmn:sequenceFlow id="f2" sourceRef="runde" targetRef="gjennomfor" />
  <bpmn:userTask id="gjennomfor" name="Gjennomfør runden" camunda:candidateUsers="lise.leder" />
  <bpmn:sequenceFlow id="f3" sourceRef="gjennomfor" targetRef="neste" />
  <bpmn:intermediateCatchEvent id="neste" name="Neste gjennomgang">
    <bpmn:extensionElements><camunda:properties>
      <camunda:property name="arshjul" value="gjennomgang" />
      <camunda:property name="arshjul.intervall" value="P1Y" />
    </camunda:properties></bpmn:extensionElements>
    <bpmn:timerEventDefinition><bpmn:timeDate>${{neste}}</bpmn:timeDate></bpmn:timerEventDefinition>
  </bpmn:intermediateCatchEvent>
  <bpmn:sequenceFlow id="f4" sourceRef="neste" targetRef="runde" />
</bpmn:process></bpmn:definitions>"""

YEARLY_CYCLE = "R/2027-01-15T08:00:00/P1Y"


def deploy_yearly_plan(engine: ProcessEngine, cycle: str = YEARLY_CYCLE) -> None:
    engine.repository.deploy([("aarsplan.bpmn", YEARLY_PLAN.format(cycle=cycle).encode())],
                             actor="paal.prosesseier")


def start_report(engine: ProcessEngine, unit: str, title: str, due: str = "2027-05-15",
                 reminder: str = "2027-05-10T09:00") -> int:
    """Start a report case in `unit` as its leader would; returns the instance id."""
    data = {"tittel": title, "enhet": unit, "frist": due, "paaminnelse": reminder}
    return engine.runtime.start("aarsplan", "admin", data).instance_id


def start_conversation(engine: ProcessEngine) -> int:
    """Deploy the conversation and start one about Ola Olsen in sykehjem, due 20 March."""
    with engine.transaction():
        engine.organisation.create_group("hr", "HR", actor="admin")
        engine.organisation.add_member("hr", "jonas.ansatt", actor="admin")
    engine.repository.deploy([("samtale.bpmn", CONVERSATION.encode())], actor="admin")
    data = {"tittel": "Samtale med Ola Olsen", "navn": "Ola Olsen", "enhet": "sykehjem",
            "frist": "2027-03-20"}
    return engine.runtime.start("samtale", "lise.leder", data).instance_id


def start_unit_task(engine: ProcessEngine, task_unit: str) -> int:
    """Start a case for the whole municipality whose task goes to the leader of `task_unit`,
    due 10 September; returns the instance id."""
    engine.repository.deploy([("prognose.bpmn", UNIT_TASK.encode())], actor="admin")
    data = {"tittel": "Prognose 2027", "enhet": "eksempel", "oppgaveenhet": task_unit,
            "frist": "2027-09-10"}
    return engine.runtime.start("prognose", "admin", data).instance_id


def start_follow_up(engine: ProcessEngine) -> int:
    """Start a follow-up case in sykehjem now; returns the instance id."""
    engine.repository.deploy([("oppfolging.bpmn", FOLLOW_UP.encode())], actor="admin")
    data = {"tittel": "Oppfølging av tiltak", "enhet": "sykehjem"}
    return engine.runtime.start("oppfolging", "admin", data).instance_id


def deploy_accounts(engine: ProcessEngine) -> None:
    engine.repository.deploy([("regnskap.bpmn", ACCOUNTS.format().encode())], actor="admin")


def start_accounts(engine: ProcessEngine, due: str = "2027-02-20") -> int:
    """Start an accounts case in sykehjem due `due`, reminded on 13 February, escalated on
    23 February, with its response deadline on 1 March and the auditor notified on 5 March."""
    data = {"tittel": "Regnskap 2026", "enhet": "sykehjem", "frist": due,
            "paaminnelse": "2027-02-13T09:00", "eskalering": "2027-02-23T00:00",
            "svarfrist": "2027-03-01T12:00", "revisor": "2027-03-05T09:00"}
    return engine.runtime.start("regnskap", "admin", data).instance_id


def start_review(engine: ProcessEngine) -> int:
    """Deploy the yearly review and start one in sykehjem now; returns the instance id."""
    engine.repository.deploy([("gjennomgang.bpmn", REVIEW.format().encode())], actor="admin")
    data = {"tittel": "Gjennomgang av rutiner", "enhet": "sykehjem"}
    return engine.runtime.start("gjennomgang", "admin", data).instance_id

"""The demo municipality, "Eksempel kommune": units, leaders, employees, groups and settings.

`sloyfe load-demo` and the tests load it. Every demo user has the password "demo".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from engine.models import User

if TYPE_CHECKING:
    from engine.engine import ProcessEngine

DEMO_PASSWORD = "demo"
EMAIL_DOMAIN = "eksempel.kommune.no"


@dataclass(frozen=True)
class DemoUnit:
    code: str
    name: str
    kind: str
    parent: str | None
    leader: tuple[str, str]  # user name, display name
    employees: tuple[tuple[str, str], ...] = ()


UNITS = (
    DemoUnit("eksempel", "Eksempel kommune", "kommune", None,
             ("kari.direktor", "Kari Nordmann (kommunedirektør)")),
    DemoUnit("helse-omsorg", "Helse og omsorg", "tjenesteomraade", "eksempel",
             ("tor.kommunalsjef", "Tor Hansen (kommunalsjef)")),
    DemoUnit("oppvekst", "Oppvekst og kultur", "tjenesteomraade", "eksempel",
             ("nina.kommunalsjef", "Nina Berg (kommunalsjef)")),
    DemoUnit("sykehjem", "Eksempel sykehjem", "enhet", "helse-omsorg",
             ("lise.leder", "Lise Johansen"),
             (("ola.ansatt", "Ola Olsen"), ("fatima.ansatt", "Fatima Ali"))),
    DemoUnit("hjemmetjenesten", "Hjemmetjenesten", "enhet", "helse-omsorg",
             ("per.leder", "Per Larsen"), (("jonas.ansatt", "Jonas Lie"),)),
    DemoUnit("eksempel-skole", "Eksempel skole", "enhet", "oppvekst",
             ("anne.rektor", "Anne Dahl"), (("erik.laerer", "Erik Moen"),)),
)

STAFF = (
    # user name, display name, home unit, groups, roles
    ("pia.personvern", "Pia Solberg (personvernombud)", "eksempel", ("personvernombud",), ()),
    ("siri.sekretariat", "Siri Nilsen (politisk sekretariat)", "eksempel",
     ("politisk-sekretariat",), ()),
    ("eva.okonomisjef", "Eva Strand (økonomisjef)", "eksempel", ("okonomi", "okonomisjef"),
     ()),
    ("jon.okonomi", "Jon Bakke (økonomirådgiver)", "eksempel", ("okonomi",), ()),
    ("hanne.hr", "Hanne Moe (HR-rådgiver)", "eksempel", ("hr-avdelingen",), ()),
    ("paal.prosesseier", "Pål Eide (prosesseier)", "eksempel", ("kvalitet",), ("prosesseier",)),
    ("admin", "Administrator", "eksempel", (), ("administrator",)),
)

GROUPS = (("personvernombud", "Personvernombud"),
          ("politisk-sekretariat", "Politisk sekretariat"),
          ("okonomi", "Økonomi"),
          ("okonomisjef", "Økonomisjef"),
          ("hr-avdelingen", "HR-avdelingen"),
          ("kvalitet", "Kvalitet og internkontroll"))

SUBKINDS = [
    {"label": "HMS – Vold og trusler", "value": "hms/vold-trusler"},
    {"label": "HMS – Nestenulykke", "value": "hms/nestenulykke"},
    {"label": "HMS – Arbeidsulykke", "value": "hms/arbeidsulykke"},
    {"label": "Tjenesteavvik – Legemidler", "value": "tjeneste/legemidler"},
    {"label": "Tjenesteavvik – Fall", "value": "tjeneste/fall"},
    {"label": "Tjenesteavvik – Manglende tjeneste", "value": "tjeneste/manglende-tjeneste"},
    {"label": "Informasjonssikkerhet – Feilsendt e-post",
     "value": "informasjonssikkerhet/feilsendt"},
    {"label": "Informasjonssikkerhet – Tilgangsbrudd", "value": "informasjonssikkerhet/tilgang"},
    {"label": "Bygg og miljø – Inneklima", "value": "bygg/inneklima"},
    {"label": "Bygg og miljø – Skade på bygg", "value": "bygg/skade"},
]


def load_organisation(engine: ProcessEngine, password: str = DEMO_PASSWORD) -> int:
    """Create the demo organisation unless it exists; returns the number of users created."""
    from engine.services.organisation import hash_password

    org = engine.organisation
    created = 0
    # Every demo user shares one password, so one argon2 hash (about 0.15 s) serves them all.
    shared_hash = hash_password(password)
    with engine.transaction():
        if engine.uow.session.scalar(select(User).where(User.username == "admin")) is not None:
            return 0
        for key, name in GROUPS:
            org.create_group(key, name, actor="demo")
        for unit in UNITS:
            org.create_unit(unit.code, unit.name, unit.kind, unit.parent, actor="demo")
            for username, display in (unit.leader, *unit.employees):
                org.create_user(username, display, email=f"{username}@{EMAIL_DOMAIN}",
                                unit=unit.code, password_hash=shared_hash, actor="demo")
                created += 1
            org.set_leader(unit.code, unit.leader[0], actor="demo")
        for username, display, unit_code, groups, roles in STAFF:
            org.create_user(username, display, email=f"{username}@{EMAIL_DOMAIN}",
                            unit=unit_code, password_hash=shared_hash, actor="demo")
            created += 1
            for group in groups:
                org.add_member(group, username, actor="demo")
            for role in roles:
                org.grant_role(username, role, actor="demo")
        # Employees of the nursing home may also handle its deviations.
        org.add_member("behandler@sykehjem", "fatima.ansatt", actor="demo")
        engine.repository.set_setting("skjemaverdier.underkategorier", SUBKINDS, actor="demo")
    return created


def load_processes(engine: ProcessEngine) -> list[dict]:
    """Deploy every process in bpmn/ with every form in forms/."""
    results = engine.repository.deploy_paths(
        [engine.config["FORMS_DIR"], engine.config["BPMN_DIR"]], actor="demo",
        change_note="Demo data")
    return [result.to_dict() for result in results]

"""Fictional case texts for the demo history: short, plausible municipal cases without names
or health details, as the report forms ask."""

from __future__ import annotations

from dataclasses import dataclass

# Users of the demo municipality (engine.demo) who report and carry out measures, per unit.
UNIT_STAFF: dict[str, tuple[str, ...]] = {
    "sykehjem": ("ola.ansatt", "fatima.ansatt"),
    "hjemmetjenesten": ("jonas.ansatt",),
    "eksempel-skole": ("erik.laerer",),
}
UNIT_LEADERS = {"sykehjem": "lise.leder", "hjemmetjenesten": "per.leder",
                "eksempel-skole": "anne.rektor"}
SECRETARY = "siri.sekretariat"
FINANCE = "jon.okonomi"


@dataclass(frozen=True)
class DeviationText:
    units: tuple[str, ...]
    kind: str
    subkind: str
    title: str
    what_happened: str
    places: tuple[str, ...]
    severities: tuple[str, ...]
    immediate: str
    cause: str
    actual: str
    potential: str
    measures: tuple[str, ...]
    learning: str
    personal_data: bool = False
    injury: bool = False


CARE = ("sykehjem", "hjemmetjenesten")
ALL_UNITS = ("sykehjem", "hjemmetjenesten", "eksempel-skole")

DEVIATIONS = (
    DeviationText(("sykehjem",), "tjeneste", "tjeneste/fall", "Fall på beboerrom",
                  "En beboer ble funnet på gulvet ved sengen under morgenstellet.",
                  ("Avdeling 1", "Avdeling 2", "Skjermet enhet"), ("Lav", "Middels", "Høy"),
                  "Beboeren ble undersøkt av sykepleier og lagt til observasjon.",
                  "Sengehesten var nede, og sensormatten var ikke slått på.",
                  "Blåmerke på hoften.", "Brudd i hoften.",
                  ("Sjekkliste for sensormatte ved kveldsvakt", "Fallrisikovurdering av beboeren"),
                  "Sensormatten må kontrolleres ved hvert vaktskifte."),
    DeviationText(CARE, "tjeneste", "tjeneste/legemidler", "Feil dose legemiddel gitt",
                  "En bruker fikk kveldsdosen i stedet for morgendosen.",
                  ("Medisinrommet", "Hjemme hos bruker", "Avdeling 2"), ("Middels", "Høy"),
                  "Legevakt kontaktet, brukeren observeres resten av dagen.",
                  "Dosettene var merket med små bokstaver og lå i feil rekkefølge.",
                  "Brukeren ble trøtt og svimmel.", "Alvorlig forgiftning.",
                  ("Dobbeltkontroll ved utdeling", "Ny merking av dosetter"),
                  "Dobbeltkontroll ved utdeling av faste legemidler."),
    DeviationText(CARE, "tjeneste", "tjeneste/legemidler", "Legemiddel ikke gitt",
                  "Et fast legemiddel ble ikke gitt fordi det manglet i multidosen.",
                  ("Hjemme hos bruker", "Avdeling 1"), ("Lav", "Middels"),
                  "Apoteket ble kontaktet, og legemidlet ble levert samme dag.",
                  "Endringen i legemiddellisten var ikke sendt til apoteket.",
                  "Dosen ble gitt fire timer for sent.", "Forverring av sykdommen.",
                  ("Rutine for å melde endringer til apoteket",),
                  "Endringer i legemiddellisten sendes apoteket samme dag."),
    DeviationText(("hjemmetjenesten",), "tjeneste", "tjeneste/manglende-tjeneste",
                  "Planlagt hjemmebesøk ble ikke gjennomført",
                  "Et planlagt besøk falt ut av kjørelisten etter en endring i turnusen.",
                  ("Kjøreliste sone nord", "Kjøreliste sone sør"), ("Lav", "Middels"),
                  "Brukeren ble ringt opp og fikk besøk samme ettermiddag.",
                  "Endringen i turnusen ble ikke overført til kjørelisten.",
                  "Brukeren fikk ikke hjelp til frokost.", "Brukeren kunne ha falt uten hjelp.",
                  ("Kontroll av kjøreliste ved turnusendring",),
                  "Kjørelisten kontrolleres mot turnusen hver morgen."),
    DeviationText(CARE, "hms", "hms/vold-trusler", "Trusler mot ansatt",
                  "En ansatt ble truet verbalt av en pårørende under et besøk.",
                  ("Inngangspartiet", "Hjemme hos bruker", "Avdeling 1"), ("Middels", "Høy"),
                  "Den ansatte fikk samtale med leder samme dag.",
                  "Uenighet om vedtak om tjenester, og ingen plan for vanskelige samtaler.",
                  "Den ansatte ble utrygg.", "Fysisk vold mot ansatte.",
                  ("Plan for vanskelige samtaler med pårørende", "Kurs i konflikthåndtering"),
                  "Vanskelige samtaler tas med to ansatte til stede."),
    DeviationText(("eksempel-skole",), "hms", "hms/vold-trusler", "Elev slo ansatt",
                  "En elev slo en ansatt i armen i friminuttet.",
                  ("Skolegården", "Klasserom 5B", "Garderoben"), ("Middels", "Høy"),
                  "Eleven ble skjermet, og foreldrene ble kontaktet.",
                  "Konflikt mellom elever som ikke ble fanget opp tidlig nok.",
                  "Den ansatte fikk et blåmerke.", "Alvorlig skade på ansatt.",
                  ("Oppdatere tiltaksplan for eleven", "Flere voksne ute i friminuttene"),
                  "Tiltaksplanen følges opp på hvert teammøte."),
    DeviationText(ALL_UNITS, "hms", "hms/nestenulykke", "Glatt gulv i gangen",
                  "En ansatt skled nesten på vått gulv etter vask, uten varselskilt.",
                  ("Hovedgangen", "Kjøkkenet", "Personalrommet"), ("Ubetydelig", "Lav"),
                  "Gulvet ble tørket, og varselskilt ble satt ut.",
                  "Renholderen hadde ikke skilt tilgjengelig.",
                  "Ingen skade.", "Fallskade.",
                  ("Varselskilt på hvert renholdsrom",),
                  "Varselskilt settes alltid ut ved våtvask."),
    DeviationText(CARE, "hms", "hms/arbeidsulykke", "Ansatt skadet ved forflytning",
                  "En ansatt fikk vondt i ryggen ved forflytning av en bruker uten heis.",
                  ("Avdeling 2", "Hjemme hos bruker"), ("Middels", "Høy", "Kritisk"),
                  "Den ansatte ble sendt til legevakten.",
                  "Takheisen var i stykker, og forflytningen ble gjort av én ansatt.",
                  "Den ansatte ble sykmeldt i to uker.", "Varig ryggskade.",
                  ("Reparere takheisen", "Opplæring i forflytning"),
                  "Forflytning uten hjelpemiddel gjøres alltid av to ansatte.",
                  injury=True),
    DeviationText(ALL_UNITS, "informasjonssikkerhet", "informasjonssikkerhet/feilsendt",
                  "E-post med personopplysninger sendt til feil mottaker",
                  "En e-post med opplysninger om en bruker gikk til en ekstern mottaker med "
                  "samme fornavn.", ("Kontoret", "Hjemmekontor"), ("Middels", "Høy"),
                  "Mottakeren ble bedt om å slette e-posten og bekreftet slettingen.",
                  "Autofullføring i e-postprogrammet valgte feil adresse.",
                  "Opplysninger kom på avveie.", "Brudd på taushetsplikten.",
                  ("Slå av autofullføring for eksterne adresser",),
                  "Personopplysninger sendes i fagsystemet, ikke på e-post.",
                  personal_data=True),
    DeviationText(ALL_UNITS, "informasjonssikkerhet", "informasjonssikkerhet/tilgang",
                  "Ulåst PC på fellesareal",
                  "En PC med åpen journal sto ulåst på et fellesareal i en halvtime.",
                  ("Vaktrommet", "Personalrommet", "Lærerværelset"), ("Lav", "Middels"),
                  "PC-en ble låst, og innloggingen ble kontrollert.",
                  "Automatisk skjermlås var slått av på maskinen.",
                  "Ingen kjent innsyn.", "Uvedkommende kunne ha lest journalen.",
                  ("Skjermlås etter fem minutter på alle maskiner",),
                  "Lås skjermen når du går fra PC-en.", personal_data=True),
    DeviationText(ALL_UNITS, "informasjonssikkerhet", "informasjonssikkerhet/tilgang",
                  "Fagsystemet var utilgjengelig",
                  "Fagsystemet var nede i tre timer, og dokumentasjonen ble gjort på papir.",
                  ("Hele enheten",), ("Lav", "Middels"),
                  "Reserverutinen på papir ble tatt i bruk.",
                  "Feil ved en oppdatering hos leverandøren.",
                  "Dokumentasjonen ble forsinket.", "Viktig informasjon kunne ha gått tapt.",
                  ("Øve på reserverutinen",),
                  "Reserverutinen må være kjent for alle vakter."),
    DeviationText(ALL_UNITS, "bygg", "bygg/inneklima", "Dårlig luft i rommet",
                  "Flere klaget over tung luft og hodepine etter lunsj.",
                  ("Klasserom 3A", "Møterommet", "Avdeling 1"), ("Ubetydelig", "Lav"),
                  "Vinduene ble åpnet, og driftsteknikeren ble varslet.",
                  "Ventilasjonsanlegget gikk på lav hastighet etter en feil i styringen.",
                  "Hodepine hos flere.", "Langvarige plager.",
                  ("Service på ventilasjonsanlegget",),
                  "Avvik på inneklima meldes til drift samme dag."),
    DeviationText(ALL_UNITS, "bygg", "bygg/skade", "Vannlekkasje fra taket",
                  "Det dryppet vann fra taket etter kraftig regn.",
                  ("Gymsalen", "Lageret", "Korridor 2"), ("Lav", "Middels"),
                  "Området ble sperret av, og bøtter ble satt ut.",
                  "Taksluket var tett av løv.",
                  "Vannskade på himlingsplater.", "Fuktskade og mugg.",
                  ("Rense taksluk hver høst",),
                  "Taksluk står på vedlikeholdsplanen."),
)

IMMEDIATE_SHORT = "Saken er fulgt opp med de involverte."
EVALUATIONS = {"ja": "Ingen nye hendelser av samme type siden tiltaket.",
               "delvis": "Færre hendelser, men tiltaket må følges opp videre.",
               "nei": "Tiltaket virket ikke som ventet. Ny vurdering på personalmøtet."}
REJECTIONS = ("Dette er en klage på vedtak og skal behandles som klage, ikke som avvik.",
              "Forholdet er allerede meldt og behandles i en annen sak.",
              "Hendelsen gjelder en annen virksomhet enn kommunen.")


@dataclass(frozen=True)
class SuggestionText:
    title: str
    description: str
    improves: str
    gain: str
    plan: str
    done: str


SUGGESTIONS = (
    SuggestionText("Felles kalender for legebesøk",
                   "Legebesøkene står i flere lister. En felles kalender sparer tid.",
                   "arbeidsflyt", "Omtrent en time spart per uke.",
                   "Sette opp en felles kalender i Outlook.", "Kalenderen er i bruk."),
    SuggestionText("Digital vaktbok", "Vaktboken på papir er vanskelig å lese og blir borte.",
                   "kvalitet", "Bedre overlevering mellom vaktene.",
                   "Prøve digital vaktbok på én avdeling i to måneder.",
                   "Digital vaktbok er innført på alle avdelinger."),
    SuggestionText("Sykkel til korte hjemmebesøk",
                   "Mange besøk i sentrum ligger under to kilometer fra basen.",
                   "miljo", "Lavere drivstoffutgifter og mindre parkering.",
                   "Kjøpe to el-sykler og lage rutine for bruk.", "Syklene er i bruk."),
    SuggestionText("Fast tid for foreldresamtaler",
                   "Foreldresamtaler spres over hele uken og bryter opp undervisningen.",
                   "arbeidsflyt", "Mer sammenhengende undervisningstid.",
                   "Legge samtalene til to faste ettermiddager.",
                   "Faste samtaledager er innført fra nytt semester."),
    SuggestionText("Sjekkliste for nyansatte",
                   "Nyansatte får ulik opplæring avhengig av hvem som har vakt.",
                   "kvalitet", "Tryggere nyansatte og færre feil.",
                   "Lage en felles sjekkliste for de tre første vaktene.",
                   "Sjekklisten brukes for alle nyansatte."),
    SuggestionText("Gjenbruk av hjelpemidler", "Mange hjelpemidler står ubrukt på lageret.",
                   "okonomi", "Færre nye innkjøp.",
                   "Registrere hjelpemidlene og lage en utlånsordning.",
                   "Utlånsordningen er i gang."),
    SuggestionText("Stille rom for pauser", "Personalrommet er støyende i lunsjen.",
                   "arbeidsmiljo", "Bedre hvile i pausene.",
                   "Bruke det lille møterommet som stille rom i lunsjen.",
                   "Stille rom er tatt i bruk."),
    SuggestionText("Felles mal for ukeplan", "Hvert trinn lager ukeplanen på sin måte.",
                   "kvalitet", "Enklere for foreldre å finne fram.",
                   "Lage en felles mal i læringsplattformen.", "Malen brukes på alle trinn."),
)
SUGGESTION_REJECTIONS = ("Kommunen innfører nytt fagsystem som løser dette.",
                         "Forslaget krever investeringer som ikke er med i budsjettet i år.")


@dataclass(frozen=True)
class DecisionText:
    body: str
    kind: str
    title: str
    points: tuple[tuple[str, str], ...]  # decision point, responsible unit


DECISIONS = (
    DecisionText("kommunestyret", "verbalvedtak", "Handlingsprogram med budsjett",
                 (("Kommunedirektøren utreder gratis leksehjelp på alle trinn.",
                   "eksempel-skole"),
                  ("Sykehjemmet får fast lege to dager i uken.", "sykehjem"))),
    DecisionText("hovedutvalg-helse", "ordinart", "Plan for velferdsteknologi",
                 (("Hjemmetjenesten tar i bruk digitalt tilsyn.", "hjemmetjenesten"),
                  ("Sykehjemmet prøver ut sensorer for fallvarsling.", "sykehjem"))),
    DecisionText("hovedutvalg-oppvekst", "ordinart", "Tiltak mot mobbing i skolen",
                 (("Skolen lager en plan for trygt skolemiljø.", "eksempel-skole"),)),
    DecisionText("formannskapet", "oversendelsesforslag", "Kortere ventetid på hjemmetjenester",
                 (("Hjemmetjenesten rapporterer ventetid hvert tertial.", "hjemmetjenesten"),)),
    DecisionText("kommunestyret", "ordinart", "Rullering av beredskapsplanen",
                 (("Alle enheter oppdaterer sin beredskapsplan.", "sykehjem"),
                  ("Skolen gjennomfører en evakueringsøvelse.", "eksempel-skole"),
                  ("Hjemmetjenesten lager rutine for strømbrudd.", "hjemmetjenesten"))),
    DecisionText("kontrollutvalget", "ordinart", "Oppfølging av forvaltningsrevisjon",
                 (("Sykehjemmet forbedrer rutinen for legemiddelhåndtering.", "sykehjem"),)),
)


@dataclass(frozen=True)
class RiskReviewText:
    unit: str
    process_leader: str
    participants: tuple[str, ...]
    title: str
    purpose: str
    scope: str
    events: tuple[tuple[str, str, str, str, int, int, str], ...]
    # event title, description, causes, barriers, likelihood, consequence, knowledge
    measures: tuple[tuple[str, int], ...]  # measure title, event number


RISK_REVIEWS = (
    RiskReviewText(
        "sykehjem", "ola.ansatt", ("fatima.ansatt",),
        "Legemiddelhåndtering på Eksempel sykehjem",
        "Finne risiko i legemiddelhåndteringen før ny multidoseavtale.",
        "Bestilling, oppbevaring og utdeling. Ikke forskrivning.",
        (("Feil legemiddel gitt", "En beboer får en annen beboers dose.",
          "Travle vakter og like pakninger.", "Multidose fra apotek.", 4, 4, "sterk"),
         ("Legemidler på avveie", "Vanedannende legemidler forsvinner.",
          "Medisinrommet står ulåst.", "Telling hver uke.", 2, 3, "middels"),
         ("Manglende dokumentasjon", "Utdeling blir ikke kvittert.",
          "Papirlister på enkelte avdelinger.", "", 3, 2, "svak")),
        (("Dobbeltkontroll ved utdeling", 1), ("Kodelås på medisinrommet", 2))),
    RiskReviewText(
        "eksempel-skole", "erik.laerer", (),
        "Vold og trusler mot ansatte på Eksempel skole",
        "Vurdere risikoen for vold og trusler mot ansatte i skoletiden.",
        "Undervisning, friminutt og SFO.",
        (("Ansatt skadet av elev", "En elev slår eller sparker en ansatt.",
          "Utagerende elever og for få voksne ute.", "Tiltaksplaner for enkeltelever.",
          3, 3, "middels"),
         ("Trusler fra foresatte", "En foresatt truer en ansatt i en samtale.",
          "Konflikter om vedtak.", "To ansatte i vanskelige samtaler.", 2, 4, "middels"),
         ("Alene på SFO", "En ansatt er alene med mange barn sent på dagen.",
          "Turnus med få på sen vakt.", "", 4, 2, "sterk")),
        (("Alarm for ansatte på SFO", 3), ("Kurs i forebygging av vold", 1))),
    RiskReviewText(
        "hjemmetjenesten", "jonas.ansatt", (),
        "Informasjonssikkerhet i mobil journal",
        "Finne risiko ved bruk av journal på nettbrett ute hos brukerne.",
        "Nettbrett, innlogging og dokumentasjon hjemme hos bruker.",
        (("Nettbrett mistet", "Et nettbrett med journaltilgang blir borte.",
          "Mange nettbrett i bruk ute.", "PIN-kode og fjernsletting.", 3, 3, "sterk"),
         ("Innsyn fra uvedkommende", "Pårørende ser journalen over skulderen.",
          "Dokumentasjon gjøres hjemme hos brukeren.", "", 3, 2, "svak"),
         ("Systemet nede", "Journalen er utilgjengelig en hel vakt.",
          "Avhengig av mobilnett.", "Papirskjema i bilen.", 2, 4, "middels")),
        (("Skjermfilter på alle nettbrett", 2),)),
)

MEETING_PLACES = ("Møterom 1", "Møterom 2", "Lederens kontor", "Stille rom")
WORK_GOALS = ("Ta ansvar for opplæringen av nye vikarer.",
              "Bli ressursperson for dokumentasjon i fagsystemet.",
              "Følge opp tiltaksplanene for elevene på trinnet.",
              "Bidra til bedre flyt i morgenstellet.")
DEVELOPMENT_GOALS = ("Bli trygg som veileder.", "Lære mer om velferdsteknologi.",
                     "Ta videreutdanning i lesing.", "Bli bedre på vanskelige samtaler.")
DEVELOPMENT_NEEDS = ("fagkompetanse", "digital", "ledelse", "samarbeid", "hms", "utdanning",
                     "sprak")

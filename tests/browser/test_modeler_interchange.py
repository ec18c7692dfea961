"""The OMG MIWG reference models (tests/data/miwg) in the modeler page in Chromium: each is
uploaded, drawn, downloaded again without losing an element, validated with every problem on
its element, and opened in the read-only viewer of the administration pages.

One server and one browser page serve every file, so the module builds its own engine on a
clean copy of the test database instead of the per-test fixtures.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from playwright.sync_api import Browser, ConsoleMessage, Page, expect
from werkzeug.serving import make_server

from engine.app import create_app
from engine.demo import load_organisation, load_processes
from engine.engine import ProcessEngine
from engine.runtime.clock import FixedClock
from engine.runtime.sandbox import Sandbox
from tests.browser.test_deviation_journey import log_in
from tests.conftest import START, clean_database, free_port

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
MIWG = sorted((ROOT / "tests" / "data" / "miwg").glob("*.bpmn"))
MODELER_SCRIPT = "/static/dist/modeler.js"
MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DI = "http://www.omg.org/spec/BPMN/20100524/DI"

# Runs in the page: the ids of every element that the modeler has drawn.
DRAWN_IDS = """async (script) => {
  const module = await import(script);
  const { modeler } = await module.modelerReady(document.querySelector('[data-sloyfe-modeler]'));
  return modeler.get('elementRegistry').getAll().map((element) => element.id);
}"""

# Runs in the page: whether the element `id` has the marker of an error or a warning. A
# process that is not in a pool is the canvas itself, which has no shape of its own.
IS_MARKED = """async ([script, id]) => {
  const module = await import(script);
  const { modeler } = await module.modelerReady(document.querySelector('[data-sloyfe-modeler]'));
  const canvas = modeler.get('canvas');
  return [ 'sloyfe-problem-error', 'sloyfe-problem-warning' ].some(
    (marker) => canvas.hasMarker(id, marker));
}"""

# Runs in the page: the file at `url` in a second, read-only diagram, as the administration
# pages show it. Returns the ids of the elements drawn, or the error of a failed import.
OPEN_VIEWER = """async ([script, url]) => {
  const module = await import(script);
  document.querySelector('[data-interchange-viewer]')?.remove();
  const root = document.createElement('div');
  root.dataset.mode = 'view';
  root.dataset.diagramUrl = url;
  root.dataset.interchangeViewer = '';
  root.innerHTML = '<div data-modeler-canvas></div><div data-modeler-status hidden></div>';
  root.querySelector('[data-modeler-canvas]').style.height = '400px';
  document.body.append(root);
  try {
    const { modeler } = await module.init(root);
    return { drawn: modeler.get('elementRegistry').getAll().map((element) => element.id) };
  } catch (error) {
    return { failed: String(error) };
  }
}"""


@dataclass
class ModelerPage:
    page: Page
    url: str
    engine: ProcessEngine
    console: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def modeler(template_database: str, tmp_path_factory: pytest.TempPathFactory,
            sandbox: Sandbox, browser: Browser) -> Iterator[ModelerPage]:
    """The deviation process open in the modeler for the administrator, for the whole module."""
    directory = tmp_path_factory.mktemp("interchange")
    config: dict[str, Any] = {
        "DATABASE_URL": clean_database(template_database, directory),
        "SECRET_KEY": "test-secret", "BASE_URL": "http://127.0.0.1:5000", "SMTP_HOST": "",
        "ATTACHMENT_DIR": str(directory / "attachments")}
    engine = ProcessEngine(config, clock=FixedClock(START), sandbox=sandbox)
    load_organisation(engine)
    load_processes(engine)
    app = create_app({**config, "SHOW_DEMO_USERS": True}, engine=engine)
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="interchange", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    context = browser.new_context(locale="nb-NO", accept_downloads=True)
    context.set_default_timeout(10_000)
    opened = ModelerPage(context.new_page(), url, engine)

    def keep(message: ConsoleMessage) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            opened.console.append(message.text)

    opened.page.on("console", keep)
    opened.page.on("pageerror", lambda error: opened.console.append(str(error)))
    log_in(opened.page, url, "admin")
    opened.page.goto(f"{url}/prosesser/avvik/modell")
    expect(opened.page.locator('[data-element-id="VurderAvvik"]')).to_be_visible()
    yield opened
    context.close()
    server.shutdown()
    thread.join(timeout=10)
    engine.close()


def upload(opened: ModelerPage, path: Path) -> str:
    """Upload `path` through the page's upload control; return the message the page shows."""
    page = opened.page
    opened.console.clear()
    page.evaluate("""() => {
      for (const box of document.querySelectorAll('[data-modeler-status], [data-modeler-notice]')) {
        box.hidden = true;
        box.textContent = '';
      }
    }""")
    page.locator("[data-modeler-upload]").set_input_files(str(path))
    shown = page.locator("[data-modeler-status]:not([hidden]), [data-modeler-notice]:not([hidden])")
    expect(shown).to_contain_text(path.name)
    return shown.text_content() or ""


def ids_of(root: etree._Element, namespace: str) -> set[str]:
    return {str(node.get("id")) for node in root.iter(f"{{{namespace}}}*") if node.get("id")}


def drawn_elements(path: Path) -> set[str]:
    """Return the ids bpmn-js 18 draws from `path`: those of its first BPMNDiagram.

    bpmn-js shows one diagram, and in a collaboration it draws only the processes of the
    pools, so the elements of a process that no participant refers to (B.1.0 draws one inside
    an expanded call activity) stay off the canvas. Both are limits of bpmn-js.
    """
    root = etree.parse(str(path)).getroot()
    first = root.find(f"{{{DI}}}BPMNDiagram")
    assert first is not None
    referenced = {str(value) for value in first.xpath(".//@bpmnElement")}
    plane = first.find(f"{{{DI}}}BPMNPlane")
    assert plane is not None
    collaboration = root.find(f"{{{MODEL}}}collaboration[@id='{plane.get('bpmnElement')}']")
    if collaboration is None:
        return referenced
    in_pools = {participant.get("processRef")
                for participant in collaboration.iter(f"{{{MODEL}}}participant")}
    hidden: set[str] = set()
    for process in root.iter(f"{{{MODEL}}}process"):
        if process.get("id") not in in_pools:
            hidden |= ids_of(process, MODEL)
    return referenced - hidden


@pytest.mark.parametrize("path", MIWG, ids=[path.stem for path in MIWG])
def test_reference_model_is_drawn(modeler: ModelerPage, path: Path) -> None:
    shown = upload(modeler, path)

    assert "kunne ikke åpnes" not in shown
    drawn = set(modeler.page.evaluate(DRAWN_IDS, MODELER_SCRIPT))
    assert drawn_elements(path) - drawn == set()
    assert modeler.console == []


@pytest.mark.parametrize("path", MIWG, ids=[path.stem for path in MIWG])
def test_reference_model_downloads_whole(modeler: ModelerPage, path: Path) -> None:
    upload(modeler, path)
    drawn = set(modeler.page.evaluate(DRAWN_IDS, MODELER_SCRIPT))

    with modeler.page.expect_download() as started:
        modeler.page.get_by_role("link", name="Last ned .bpmn").click()
    exported = etree.parse(started.value.path()).getroot()

    original = etree.parse(str(path)).getroot()
    assert ids_of(original, MODEL) - ids_of(exported, MODEL) == set()
    # bpmn-js keeps the shapes and edges of what it draws and of the diagrams it does not
    # show. It drops an edge without bpmnElement (C.7.0 has one) and the shapes of a process
    # no pool refers to (B.1.0, B.2.0), because it cannot draw them.
    kept_shapes = {str(node.get("id")) for node in original.iter(f"{{{DI}}}BPMNShape",
                                                                  f"{{{DI}}}BPMNEdge")
                   if node.get("bpmnElement") in drawn}
    assert kept_shapes - ids_of(exported, DI) == set()
    assert modeler.console == []


ENGLISH_LEAKS = ("invalid syntax", "Traceback", "Error:", "(line ", "is not allowed")


@pytest.mark.parametrize("path", MIWG, ids=[path.stem for path in MIWG])
def test_reference_model_validates_in_page(modeler: ModelerPage, path: Path) -> None:
    page = modeler.page
    upload(modeler, path)
    file_ids = ids_of(etree.parse(str(path)).getroot(), MODEL)

    page.get_by_role("button", name="Valider").click()

    summary = page.locator("[data-modeler-validation-summary]")
    expect(summary).to_have_attribute("data-state", re.compile(r"^(valid|invalid)$"))
    problems = page.locator("[data-modeler-problems] li").evaluate_all("""items => items.map(
      (item) => ({ id: item.dataset.elementId || null, shown: item.dataset.shownId || null,
                   text: item.textContent }))""")
    drawn = set(page.evaluate(DRAWN_IDS, MODELER_SCRIPT))
    for problem in problems:
        assert problem["id"] in file_ids, problem
        assert not any(leak in problem["text"] for leak in ENGLISH_LEAKS), problem
        if problem["shown"] is None:
            assert problem["id"] not in drawn, problem
            assert "ikke tegnet i diagrammet som vises" in problem["text"], problem
            continue
        assert page.evaluate(IS_MARKED, [MODELER_SCRIPT, problem["shown"]]), problem
    assert modeler.console == []


@pytest.mark.parametrize("path", MIWG, ids=[path.stem for path in MIWG])
def test_reference_model_opens_in_viewer(modeler: ModelerPage, path: Path) -> None:
    url = f"{modeler.url}/miwg/{path.name}"
    modeler.page.route(url, lambda route: route.fulfill(
        status=200, content_type="application/xml", body=path.read_bytes()))
    modeler.console.clear()

    viewer = modeler.page.evaluate(OPEN_VIEWER, [MODELER_SCRIPT, url])

    assert viewer.get("failed") is None
    assert drawn_elements(path) - set(viewer["drawn"]) == set()
    assert modeler.console == []

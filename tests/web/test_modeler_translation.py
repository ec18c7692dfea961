"""The modeler's bokmål dictionary covers the English texts of the parts a process owner uses.

The English texts are read from the installed bpmn-js, diagram-js and properties panel
sources (node_modules, which `make install` fills): every translate('...') call of the
palette, the context pad, the replace menu and the diagram search, the labels of the replace
options, and in the properties panel every group heading plus the fields of the Camunda 7
properties the engine reads. A new version that adds a text fails here until nb.json has it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"
DICTIONARY = ROOT / "engine" / "web" / "assets" / "modeler" / "nb.json"
PROPERTIES_PANEL = NODE_MODULES / "bpmn-js-properties-panel" / "dist" / "index.esm.js"

# Source folders whose translate() texts a user sees while drawing.
DRAWING_SOURCES = [
    "bpmn-js/lib/features/palette",
    "bpmn-js/lib/features/context-pad",
    "bpmn-js/lib/features/popup-menu",
    "bpmn-js/lib/features/replace",
    "bpmn-js/lib/features/search",
    "diagram-js/lib/features/palette",
    "diagram-js/lib/features/context-pad",
    "diagram-js/lib/features/popup-menu",
    "diagram-js/lib/features/search-pad",
]
# These files list the replace menu's entries as plain `label: '...'` values, which the
# replace menu passes through translate().
LABEL_FILES = {"PopupEntries.js", "ReplaceOptions.js"}
# Properties panel functions that draw the fields of the Camunda 7 dialect the engine reads:
# name and id, documentation, user task assignment, forms, external task topic, timers,
# conditions and extension properties.
CAMUNDA_FIELD_FUNCTIONS = {
    "NameProps", "Name", "Id", "ProcessId", "ProcessName", "Executable", "VersionTag",
    "ElementDocumentationProperty", "ProcessDocumentationProperty",
    "Assignee", "CandidateUsers", "CandidateGroups", "DueDate", "FollowUpDate", "Priority",
    "FormType", "FormKey", "FormRef", "ImplementationType", "Topic",
    "TimerEventDefinitionType", "TimerEventDefinitionValue",
    "getTimerEventDefinitionValueDescription", "ConditionType", "ConditionExpression",
    "NameProperty", "ValueProperty",
}

# A quoted string literal, and a translate() or this._translate() call whose argument is one
# or more of them joined by +.
_LITERAL = r"""(?:'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*")"""
_TRANSLATE = re.compile(rf"(?<![\w$])_?translate\(\s*({_LITERAL}(?:\s*\+\s*{_LITERAL})*)")
_LABEL = re.compile(rf"\blabel:\s*({_LITERAL})")
_PIECE = re.compile(_LITERAL)
# A top-level function of the bundled properties panel; rollup adds $1, $2 to repeated names.
_FUNCTION = re.compile(r"^function (\w+?)(?:\$\d+)?\((.*?)\) \{\n(.*?)^\}", re.S | re.M)


def _literal_text(expression: str) -> str:
    return "".join(json.loads('"' + piece[1:-1].replace("\\'", "'") + '"')
                   for piece in _PIECE.findall(expression))


def texts_in(source: str, pattern: re.Pattern[str] = _TRANSLATE) -> set[str]:
    return {_literal_text(match.group(1)) for match in pattern.finditer(source)}


def drawing_texts() -> set[str]:
    texts: set[str] = set()
    for folder in DRAWING_SOURCES:
        for path in sorted((NODE_MODULES / folder).rglob("*.js")):
            source = path.read_text(encoding="utf-8")
            texts |= texts_in(source)
            if path.name in LABEL_FILES:
                texts |= texts_in(source, _LABEL)
    return texts


def properties_panel_texts() -> set[str]:
    texts: set[str] = set()
    for match in _FUNCTION.finditer(PROPERTIES_PANEL.read_text(encoding="utf-8")):
        name, arguments, body = match.groups()
        is_group = name.endswith("Group") and arguments == "element, injector"
        if is_group or name in CAMUNDA_FIELD_FUNCTIONS:
            texts |= texts_in(body)
    return texts


@pytest.fixture(scope="module")
def dictionary() -> dict[str, str]:
    loaded: dict[str, str] = json.loads(DICTIONARY.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module", autouse=True)
def installed_sources() -> None:
    assert PROPERTIES_PANEL.exists(), "node_modules is missing: run `make install` first"


def test_reading_joined_translate_arguments() -> None:
    source = "translate('The due date ' +\n    'as an expression'); translate(\"Loop\")"
    assert texts_in(source) == {"The due date as an expression", "Loop"}


def test_sources_yield_known_texts() -> None:
    # Guards the patterns above: if a new layout of the sources hid the texts, the checks
    # below would pass on an empty set.
    expected = {"Create start event", "Append end event", "User task",
                "Search in diagram", "Sub-process"}
    assert expected <= drawing_texts()


def test_properties_panel_yields_known_texts() -> None:
    assert {"User assignment", "Assignee", "Candidate groups", "Topic"} <= \
        properties_panel_texts()


def test_palette_context_pad_and_replace_menu_are_translated(
        dictionary: dict[str, str]) -> None:
    missing = sorted(drawing_texts() - dictionary.keys())
    assert missing == [], f"nb.json lacks: {missing}"


def test_properties_panel_texts_are_translated(dictionary: dict[str, str]) -> None:
    missing = sorted(properties_panel_texts() - dictionary.keys())
    assert missing == [], f"nb.json lacks: {missing}"


def test_no_translation_is_empty(dictionary: dict[str, str]) -> None:
    empty = sorted(key for key, value in dictionary.items() if not value.strip())
    assert empty == []


def test_placeholders_are_kept(dictionary: dict[str, str]) -> None:
    # translate() fills {name} placeholders, so a translation must keep each of them.
    placeholder = re.compile(r"\{\w+\}")
    changed = sorted(key for key, value in dictionary.items()
                     if sorted(placeholder.findall(key)) != sorted(placeholder.findall(value)))
    assert changed == []


# --- form-js-editor ------------------------------------------------------------------------
# form-js-editor 1.23 has no translate service, so assets/modeler/form-texts.js replaces the
# English texts it draws by the whole text, looked up in forms-nb.json. The texts come from
# its bundle: every label, description and validation message written as a literal, every
# text child of its elements and every translate() call of its properties panel, and the
# palette name of each form field type of form-js-viewer.
FORM_DICTIONARY = ROOT / "engine" / "web" / "assets" / "modeler" / "forms-nb.json"
FORM_EDITOR = NODE_MODULES / "@bpmn-io" / "form-js-editor" / "dist" / "index.es.js"
FORM_VIEWER = NODE_MODULES / "@bpmn-io" / "form-js-viewer" / "dist" / "index.es.js"
_FORM_LITERALS = [
    re.compile(r"\b(?:label|description|name): '([^'\\]+)'"),
    re.compile(r"\bchildren: \"([^\"\\]+)\""),
    re.compile(r"\bplaceholder: \"([^\"\\]+)\""),
    re.compile(r"\btitle: \"([^\"\\]+)\""),
    re.compile(r"\breturn '([A-Z][^'\\]*)'"),
    re.compile(r"\b(?:label|description|placeholderContent) = '([^'\\]+)'"),
    re.compile(r"\btranslate\('([^'\\]+)'"),
]
# Literals with escapes: tooltips, and a text returned as a sum of literals.
_FORM_ESCAPED_LITERALS = [
    re.compile(r"\btooltip: ('(?:[^'\\\n]|\\.)+')"),
    re.compile(r"\breturn ('(?:[^'\\\n]|\\.)*'(?: \+ '(?:[^'\\\n]|\\.)*')+);"),
]
# The names form-js-viewer gives the sources of a select's options.
_OPTIONS_SOURCE_NAME = re.compile(r"\[OPTIONS_SOURCES\.\w+\]: '([^'\\]+)'")
_FIELD_CONFIG = re.compile(r"^\w+\.config = \{\n(.*?)^\};", re.S | re.M)
# Texts of the field types the palette leaves out (forms.js UNSUPPORTED_TYPES), of Camunda's
# own links and of the iframe's security notes, which the editor never shows here, and
# form-js's symbols and code samples.
FORM_TEXTS_NOT_SHOWN = {
    "=", "MDN iFrame documentation.", "X-FRAME-OPTIONS documentation", "documentation",
    "file type specifiers",
    "A source is a JSON object containing metadata for a document or an array of documents.",
    "Additional details are optional. The expected format is as follows:",
    "Each entry must include a document ID, name, and MIME type.",
    "Enter a HTTPS URL to a source or populate it dynamically via a template or an "
    "expression (e.g., to pass a value from the variable).",
    "Please make sure that the URL is safe as it might impose security risks.",
    "These options can incur security risks, especially if used in combination with "
    "dynamic links. Ensure that you are aware of them, that you trust the source url and only "
    "enable what your use case requires.",
    "When using Camunda Tasklist UI, additional document reference attributes are "
    "automatically handled. Modifying the document reference may affect the document "
    "preview functionality.",
    "Opened in popup",
    "Enter a form input variable that contains the data for the table or define an expression "
    "to populate the data dynamically.",
    "Link referring to a hosted image, or use a data URI directly to embed image data into the "
    "form.",
}


def js_string_sum(expression: str) -> str:
    """Return the value of JavaScript single-quoted literals joined by +."""
    parts = re.findall(r"'((?:[^'\\]|\\.)*)'", expression)
    return "".join(json.loads('"' + part.replace("\\'", "'").replace('"', '\\"') + '"')
                   for part in parts)


def form_editor_texts() -> set[str]:
    source = FORM_EDITOR.read_text(encoding="utf-8")
    texts = {match for pattern in _FORM_LITERALS for match in pattern.findall(source)}
    for pattern in _FORM_ESCAPED_LITERALS:
        texts.update(js_string_sum(match) for match in pattern.findall(source))
    viewer = FORM_VIEWER.read_text(encoding="utf-8")
    texts.update(_OPTIONS_SOURCE_NAME.findall(viewer))
    for config in _FIELD_CONFIG.findall(viewer):
        name = re.search(r"^  (?:name|label): '([^']+)'", config, re.M)
        if name:
            texts.add(name.group(1))
    return texts - FORM_TEXTS_NOT_SHOWN


@pytest.fixture(scope="module")
def form_dictionary() -> dict[str, str]:
    loaded: dict[str, str] = json.loads(FORM_DICTIONARY.read_text(encoding="utf-8"))
    return loaded


def test_form_editor_yields_known_texts() -> None:
    assert {"General", "Key", "Text field", "Search components", "Must be unique."} <= \
        form_editor_texts()


def test_form_editor_yields_option_sources() -> None:
    assert {"Static", "Input data", "Condition under which the field is hidden"} <= \
        form_editor_texts()


def test_form_editor_texts_are_translated(form_dictionary: dict[str, str]) -> None:
    missing = sorted(form_editor_texts() - form_dictionary.keys())
    assert missing == [], f"forms-nb.json lacks: {missing}"


def test_form_translations_are_not_empty(form_dictionary: dict[str, str]) -> None:
    empty = sorted(key for key, value in form_dictionary.items() if not value.strip())
    assert empty == []

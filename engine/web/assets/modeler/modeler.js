// The BPMN modeler page: bpmn-js with the Camunda 7 properties panel, in the user's language.
//
// The page contains an element with data-sloyfe-modeler; its data attributes give the diagram
// URL, the locale and the texts of our own messages (rendered through gettext):
//   data-diagram-url   where to fetch the BPMN XML
//   data-locale        "nb" or "en"
//   data-load-error    shown when the diagram cannot be fetched or read
//   data-mode          "view" for a read-only NavigatedViewer; the modeler otherwise
//   data-style-nonce   the CSP nonce for CodeMirror's <style> element
//   data-draft-id      open this draft (GET /api/v1/drafts/<id>) instead of the diagram URL
//   data-editable      show the toolbar that validates, saves and publishes (editing.js);
//                      then also data-csrf, data-process-key, data-page-url and the texts
//                      in a <script type="application/json" data-modeler-texts> element,
//                      and data-max-bytes, the largest .bpmn file the server accepts
// Inside it: [data-modeler-canvas], [data-modeler-properties], [data-modeler-status] and
// an <a data-modeler-download download="..."> that, without JavaScript, downloads the
// deployed file and, with it, the diagram as currently edited.
//
// Other scripts reach the modeler through `modelerReady(root)` instead of a global.

import './modeler.css';

import BpmnModeler from 'bpmn-js/lib/Modeler';
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import {
  BpmnPropertiesPanelModule,
  BpmnPropertiesProviderModule,
  CamundaPlatformPropertiesProviderModule,
} from 'bpmn-js-properties-panel';
import CamundaBehaviorsModule from 'camunda-bpmn-js-behaviors/lib/camunda-platform';
import LintModule from 'bpmn-js-bpmnlint';
import camundaModdle from 'camunda-bpmn-moddle/resources/camunda.json';
import { StyleModule } from 'style-mod';

import { callApi } from './api.js';
import { notifier, setUpEditing } from './editing.js';
import { setUpForms, setUpTabs } from './forms.js';
import { importDiagram } from './interchange.js';
import { recommendedLintConfig } from './lint.js';
import { readTexts } from './texts.js';
import { translateModule } from './translate.js';
import { fitDiagram } from './viewport.js';

const handles = new WeakMap();

function createModeler(root, locale) {
  return new BpmnModeler({
    container: root.querySelector('[data-modeler-canvas]'),
    propertiesPanel: { parent: root.querySelector('[data-modeler-properties]') },
    additionalModules: [
      BpmnPropertiesPanelModule,
      BpmnPropertiesProviderModule,
      CamundaPlatformPropertiesProviderModule,
      CamundaBehaviorsModule,
      LintModule,
      translateModule(locale),
    ],
    linting: { bpmnlint: recommendedLintConfig(), active: true },
    moddleExtensions: { camunda: camundaModdle },
  });
}

function createViewer(root, locale) {
  return new NavigatedViewer({
    container: root.querySelector('[data-modeler-canvas]'),
    additionalModules: [ translateModule(locale) ],
    moddleExtensions: { camunda: camundaModdle },
  });
}

function showStatus(root, message) {
  const status = root.querySelector('[data-modeler-status]');
  if (status) {
    status.textContent = message;
    status.hidden = false;
  }
}

async function fetchDiagram(url) {
  const response = await fetch(url, {
    credentials: 'same-origin',
    headers: { Accept: 'application/xml' },
  });
  if (!response.ok) {
    throw new Error(`GET ${url} failed with HTTP ${response.status}`);
  }
  return response.text();
}

/** Return the diagram as currently edited, as formatted BPMN XML. */
async function currentXml(modeler) {
  const { xml } = await modeler.saveXML({ format: true });
  return xml;
}

function offerDownload(link, modeler) {
  link.addEventListener('click', async (event) => {
    event.preventDefault();
    const xml = await currentXml(modeler);
    const url = URL.createObjectURL(new Blob([ xml ], { type: 'application/xml' }));
    const temporary = document.createElement('a');
    temporary.href = url;
    temporary.download = link.getAttribute('download') || 'diagram.bpmn';
    document.body.append(temporary);
    temporary.click();
    temporary.remove();
    // The click starts the download synchronously, so the URL can go once the event ends.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  });
}

/** Return { xml, forms } of the draft or deployed version that `root` names. */
async function fetchSource(root) {
  if (root.dataset.draftId) {
    const draft = await callApi(root, 'GET', `/api/v1/drafts/${root.dataset.draftId}`);
    return { xml: draft.bpmn_xml, forms: draft.forms || {} };
  }
  return { xml: await fetchDiagram(root.dataset.diagramUrl), forms: {} };
}

async function start(root) {
  // CodeMirror (the expression fields of the properties panels) writes its theme into one
  // <style> element per document through style-mod; the page's CSP admits it by this nonce.
  if (root.dataset.styleNonce) {
    StyleModule.mount(document, [], { nonce: root.dataset.styleNonce });
  }
  const locale = root.dataset.locale === 'en' ? 'en' : 'nb';
  const editable = root.dataset.mode !== 'view';
  const modeler = editable ? createModeler(root, locale) : createViewer(root, locale);
  let forms = {};

  try {
    const source = await fetchSource(root);
    forms = source.forms;
    await importDiagram(modeler, source.xml);
  } catch (error) {
    console.warn('BPMN diagram could not be loaded:', error);
    showStatus(root, root.dataset.loadError || error.message);
    throw error;
  }
  fitDiagram(modeler);

  const download = root.querySelector('[data-modeler-download]');
  if (download) {
    offerDownload(download, modeler);
  }
  const saveXML = () => currentXml(modeler);
  const texts = readTexts(root);
  const editing = editable && 'editable' in root.dataset
    ? setUpEditing(root, modeler, { texts, locale, forms, saveXML })
    : null;
  let formTab = null;
  if (editing && root.querySelector('[data-modeler-panel="forms"]')) {
    setUpTabs(root, modeler);
    formTab = setUpForms(root, modeler, {
      texts, locale, forms, markChanged: editing.markChanged, notify: notifier(root) });
  }
  return { modeler, saveXML, editing, forms: formTab };
}

/**
 * Start the modeler in `root` once; return a promise of { modeler, saveXML, editing }.
 * `modeler` is the bpmn-js instance (a NavigatedViewer when data-mode="view"); `editing`
 * is { validate, saveDraft, isDirty, markChanged } with data-editable, and null otherwise;
 * `forms` is the form tab's { open, render } when the page has one (forms.js).
 */
export function init(root) {
  if (!handles.has(root)) {
    handles.set(root, start(root));
  }
  return handles.get(root);
}

/** Return the promise of the modeler started in `root`, or undefined before init(). */
export function modelerReady(root) {
  return handles.get(root);
}

const pageRoot = document.querySelector('[data-sloyfe-modeler]');
if (pageRoot) {
  init(pageRoot).catch(() => {
    // showStatus() has already shown the message on the page.
  });
}

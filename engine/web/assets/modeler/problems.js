// Server validation of the edited diagram (POST /api/v1/definitions/validate), shown on the
// canvas as markers and overlays and beside it as a list whose entries select the element.

import { callApi } from './api.js';
import { formatText } from './texts.js';
import { paletteEdge } from './viewport.js';

const MARKERS = { error: 'sloyfe-problem-error', warning: 'sloyfe-problem-warning' };
const OVERLAY_TYPE = 'sloyfe-problem';

/** Remove the markers and overlays of the previous validation. */
function clearMarks(modeler, marked) {
  const canvas = modeler.get('canvas');
  const registry = modeler.get('elementRegistry');
  for (const id of marked) {
    // An element of a diagram that an upload has replaced is gone, and its markers with it.
    if (registry.get(id)) {
      canvas.removeMarker(id, MARKERS.error);
      canvas.removeMarker(id, MARKERS.warning);
    }
  }
  marked.clear();
  modeler.get('overlays').remove({ type: OVERLAY_TYPE });
  for (const badge of modeler.get('canvas').getContainer().querySelectorAll('[data-model-badge]')) {
    badge.remove();
  }
}

function markElement(modeler, element, severity, count, label) {
  const canvas = modeler.get('canvas');
  canvas.addMarker(element.id, MARKERS[severity]);
  const badge = document.createElement('span');
  badge.className = `sloyfe-problem-badge sloyfe-problem-badge-${severity}`;
  badge.textContent = String(count);
  badge.title = label;
  if (element === canvas.getRootElement()) {
    // The process or collaboration has no shape, so an overlay would sit at the diagram's
    // origin, often under the palette. Its badge stays in the canvas's corner beside the palette.
    const container = canvas.getContainer();
    badge.classList.add('sloyfe-problem-badge-model');
    badge.dataset.modelBadge = '';
    badge.style.left = `${paletteEdge(container) + 8}px`;
    container.append(badge);
    return;
  }
  modeler.get('overlays').add(element.id, OVERLAY_TYPE, {
    // The top right corner has bpmn-js-bpmnlint's icon.
    position: { top: -10, left: -10 },
    html: badge,
  });
}

function selectElement(modeler, element) {
  modeler.get('selection').select(element);
  modeler.get('canvas').scrollToElement(element);
}

/** Return the shape or connection that shows the element `id`, or null when none does. */
function shownElement(modeler, id) {
  const registry = modeler.get('elementRegistry');
  // A process in a collaboration is drawn as its pool, the participant that refers to it.
  return registry.get(id) || registry.find((candidate) => (
    candidate.businessObject && candidate.businessObject.processRef
      && candidate.businessObject.processRef.id === id)) || null;
}

/** Return the name or id of the element `id`, which the diagram on the canvas does not draw. */
function undrawnName(modeler, id) {
  // bpmn-js claims every id of the imported file, with its model element, in moddle.ids.
  const ids = modeler.get('moddle').ids;
  const business = ids && ids.assigned(id);
  return (business && business.name) || id;
}

function problemItem(modeler, finding, severity, texts) {
  const element = finding.element_id ? shownElement(modeler, finding.element_id) : null;
  const item = document.createElement('li');
  item.className = `sloyfe-problem sloyfe-problem-${severity}`;
  item.dataset.severity = severity;
  if (finding.element_id) {
    item.dataset.elementId = finding.element_id;
  }
  if (element) {
    item.dataset.shownId = element.id;
  }
  const kind = document.createElement('strong');
  kind.textContent = severity === 'error' ? texts.error : texts.warning;
  const where = element ? (element.businessObject.name || element.id) : texts.noElement;
  // A finding in one of the draft's forms names the form; its button opens the form in the
  // form tab (forms.js listens for the event).
  const formFile = /^(.+)\.form$/.exec(finding.file || '');
  if (formFile) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'ds-link sloyfe-problem-element';
    button.textContent = formatText(texts.formFinding, { form: formFile[1] });
    button.addEventListener('click', () => item.dispatchEvent(new CustomEvent(
      'sloyfe:open-form', { bubbles: true, detail: formFile[1] })));
    item.append(kind, ' ', button, `: ${finding.message}`);
    return { item, element: null };
  }
  if (element) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'ds-link sloyfe-problem-element';
    button.textContent = where;
    button.addEventListener('click', () => selectElement(modeler, element));
    item.append(kind, ' ', button, `: ${finding.message}`);
  } else if (finding.element_id) {
    const name = formatText(texts.notDrawn, { name: undrawnName(modeler, finding.element_id) });
    item.append(kind, ` ${name}: ${finding.message}`);
  } else {
    item.append(kind, ` (${where}): ${finding.message}`);
  }
  return { item, element };
}

/**
 * Create the validation view of `root`. Returns { validate, show, reset }, where
 * validate(xml, forms) calls the server and returns its report ({ valid, errors, warnings }),
 * showing it, or throws ApiError when the server could not check the model.
 */
export function createValidation(root, modeler, texts) {
  const list = root.querySelector('[data-modeler-problems]');
  const summary = root.querySelector('[data-modeler-validation-summary]');
  const marked = new Set();
  const initialSummary = summary.textContent;

  function show(report) {
    clearMarks(modeler, marked);
    list.replaceChildren();
    const perElement = new Map();
    for (const [ severity, findings ] of [ [ 'error', report.errors ], [ 'warning', report.warnings ] ]) {
      for (const finding of findings) {
        const { item, element } = problemItem(modeler, finding, severity, texts);
        list.append(item);
        if (element) {
          const entry = perElement.get(element.id) || { element, severity, count: 0 };
          entry.count += 1;
          perElement.set(element.id, entry);
        }
      }
    }
    for (const { element, severity, count } of perElement.values()) {
      // Errors come first, so an element with both keeps the error styling.
      markElement(modeler, element, severity, count, severity === 'error' ? texts.error : texts.warning);
      marked.add(element.id);
    }
    if (report.errors.length) {
      summary.textContent = formatText(texts.invalid, {
        errors: report.errors.length, warnings: report.warnings.length });
    } else if (report.warnings.length) {
      summary.textContent = formatText(texts.validWithWarnings, { count: report.warnings.length });
    } else {
      summary.textContent = texts.valid;
    }
    summary.dataset.state = report.errors.length ? 'invalid' : 'valid';
  }

  async function validate(xml, forms) {
    summary.textContent = texts.validating;
    delete summary.dataset.state;
    try {
      const report = await callApi(root, 'POST', '/api/v1/definitions/validate',
        { bpmn_xml: xml, forms }, texts.networkError);
      show(report);
      return report;
    } catch (error) {
      summary.textContent = formatText(texts.validateFailed, { reason: error.message });
      summary.dataset.state = 'failed';
      throw error;
    }
  }

  /** Forget the previous validation, as after a new diagram was imported. */
  function reset() {
    clearMarks(modeler, marked);
    list.replaceChildren();
    summary.textContent = initialSummary;
    delete summary.dataset.state;
  }

  return { validate, show, reset };
}

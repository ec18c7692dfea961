// The values that Sløyfe stores (groups, deployed forms, handler topics) as datalists
// beside the properties panel. "Set" writes the typed or picked value into the selected
// element through the modeling API, so it can be undone like any other edit. The same
// datalists also suggest values in the properties panel's own fields for these attributes.

import { is } from 'bpmn-js/lib/util/ModelUtil';

import { callApi } from './api.js';
import { formatText } from './texts.js';

const SOURCES = {
  groups: {
    url: '/api/v1/groups',
    options: (items) => items.map((group) => [ group.key, group.unit ? `${group.name} (${group.unit})` : group.name ]),
  },
  forms: {
    url: '/api/v1/forms',
    options: (items) => items.map((form) => [ form.id, `${form.id} v${form.version}` ]),
  },
  topics: {
    url: '/api/v1/handlers/topics',
    options: (items) => items.map((topic) => [ topic, topic ]),
  },
};

// The input ids that bpmn-js-properties-panel 5.65 gives the fields, by datalist.
const PANEL_FIELDS = {
  'bio-properties-panel-candidateGroups': 'modeler-values-groups',
  'bio-properties-panel-formRef': 'modeler-values-forms',
  'bio-properties-panel-externalTopic': 'modeler-values-topics',
};

/** Attach the datalists to the panel's fields, again each time the panel draws them anew. */
function linkPanelFields(panel) {
  const link = () => {
    for (const [ inputId, listId ] of Object.entries(PANEL_FIELDS)) {
      const input = panel.querySelector(`input[id="${inputId}"]`);
      if (input && input.getAttribute('list') !== listId) {
        input.setAttribute('list', listId);
      }
    }
  };
  new MutationObserver(link).observe(panel, { childList: true, subtree: true });
  link();
}

/** Return the attributes to update on `element`, or null when the field does not apply. */
function changesFor(field, element, value) {
  const business = element.businessObject;
  if (field === 'groups') {
    if (!is(element, 'bpmn:UserTask')) {
      return null;
    }
    const current = (business.get('camunda:candidateGroups') || '')
      .split(',').map((group) => group.trim()).filter(Boolean);
    if (!current.includes(value)) {
      current.push(value);
    }
    return { 'camunda:candidateGroups': current.join(',') };
  }
  if (field === 'forms') {
    if (!is(element, 'bpmn:UserTask') && !is(element, 'bpmn:StartEvent')) {
      return null;
    }
    // camunda-bpmn-js-behaviors clears camunda:formKey itself when formRef is set, and clears
    // formRef when the update names formKey at all, even as undefined.
    return { 'camunda:formRef': value };
  }
  if (is(element, 'bpmn:ServiceTask') || is(element, 'bpmn:SendTask')
      || is(element, 'bpmn:BusinessRuleTask')) {
    return {
      'camunda:type': 'external',
      'camunda:topic': value,
      'camunda:class': undefined,
      'camunda:expression': undefined,
      'camunda:delegateExpression': undefined,
    };
  }
  return null;
}

async function fillList(root, block, texts) {
  const field = block.dataset.modelerValue;
  const source = SOURCES[field];
  const list = block.querySelector('datalist');
  try {
    const answer = await callApi(root, 'GET', source.url, undefined, texts.networkError);
    list.replaceChildren(...source.options(answer.items).map(([ value, label ]) => {
      const option = document.createElement('option');
      option.value = value;
      option.label = label;
      return option;
    }));
  } catch (error) {
    // Typing the value still works; only the suggestions are missing.
    console.warn(`The list ${source.url} could not be loaded:`, error);
  }
}

/** Fill the value lists of `root` and let "Set" write a value into the selected element. */
export function setUpValues(root, modeler, texts, notify) {
  const panel = root.querySelector('[data-modeler-properties]');
  if (panel) {
    linkPanelFields(panel);
  }
  for (const block of root.querySelectorAll('[data-modeler-value]')) {
    fillList(root, block, texts);
    const input = block.querySelector('input');
    const label = block.querySelector('label').textContent;
    block.querySelector('button').addEventListener('click', () => {
      const value = input.value.trim();
      const selected = modeler.get('selection').get();
      if (!value) {
        input.focus();
        return;
      }
      if (selected.length !== 1) {
        notify(texts.noSelection, 'danger');
        return;
      }
      const element = selected[0];
      const name = element.businessObject.name || element.id;
      const changes = changesFor(block.dataset.modelerValue, element, value);
      if (!changes) {
        notify(formatText(texts.notApplicable, { field: label, element: name }), 'danger');
        return;
      }
      modeler.get('modeling').updateProperties(element, changes);
      notify(formatText(texts.inserted, { value, field: label, element: name }), 'info');
    });
  }
}

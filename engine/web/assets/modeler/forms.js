// The "Skjema" tab of the modeler: the forms the diagram names in camunda:formRef, opened in
// form-js-editor, new forms, and .form files uploaded and downloaded.
//
// The forms of the draft live in `forms` (form id -> schema object, or the text of an uploaded
// .form file, which a deploy keeps byte for byte); editing.js saves, validates and deploys that
// same object with the diagram. A form not in the draft opens as its newest deployed version,
// and enters the draft only when it is changed, so an unchanged form keeps its version.

import './forms.css';

import { FormEditor } from '@bpmn-io/form-js-editor';

import { ApiError, callApi } from './api.js';
import { translateFormEditor } from './form-texts.js';
import { formatText } from './texts.js';

// Element types on which Sløyfe reads camunda:formRef (docs/modellering.md).
const FORM_ELEMENTS = new Set([ 'bpmn:UserTask', 'bpmn:StartEvent' ]);
// The form-js types that engine/forms refuses at deploy (UNSUPPORTED_TYPES in
// engine/forms/model.py, plus html, which it does not know); the palette leaves them out.
const UNSUPPORTED_TYPES = [ 'image', 'iframe', 'filepicker', 'table', 'expression',
  'documentPreview', 'html' ];
// A form id is used in file names and URLs: letters, digits, - and _, starting with a letter.
const FORM_ID = /^[A-Za-z][A-Za-z0-9_-]{0,127}$/;

/** Return Map(form id -> [element names]) of the formRef values in the diagram. */
function referencedForms(modeler) {
  const found = new Map();
  for (const element of modeler.get('elementRegistry').getAll()) {
    const business = element.businessObject;
    if (!business || !FORM_ELEMENTS.has(business.$type)) {
      continue;
    }
    const formRef = (business.get('camunda:formRef') || '').trim();
    if (formRef) {
      const names = found.get(formRef) || [];
      names.push(business.name || business.id);
      found.set(formRef, names);
    }
  }
  return found;
}

/** Return a draft form as a schema object; a .form file's text is parsed. */
function asSchema(value) {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

/** Return the bytes of a draft form as a .form file: uploaded text as it is. */
function asFileText(value) {
  return typeof value === 'string' ? value : `${JSON.stringify(value, null, 2)}\n`;
}

function offerFile(name, text) {
  const url = URL.createObjectURL(new Blob([ text ], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/**
 * Set up the form tab in `root`. `forms` is the draft's forms object shared with editing.js,
 * `markChanged()` marks the draft as unsaved, `notify(message, color)` shows a message.
 */
export function setUpForms(root, modeler, { texts, locale, forms, markChanged, notify }) {
  const panel = root.querySelector('[data-modeler-panel="forms"]');
  const list = panel.querySelector('[data-forms-list]');
  const heading = panel.querySelector('[data-form-heading]');
  const editorBox = panel.querySelector('[data-form-editor]');
  const editorArea = panel.querySelector('[data-form-editor-area]');
  const problems = panel.querySelector('[data-form-problems]');
  const deployed = new Map();
  let editor = null;
  let openId = null;
  let importing = false;

  function showProblems(message, errors = []) {
    const items = errors.map((error) => {
      const item = document.createElement('li');
      item.textContent = error.line
        ? formatText(texts.formProblemLine, { line: error.line, message: error.message })
        : error.message;
      return item;
    });
    const intro = document.createElement('p');
    intro.className = 'ds-paragraph';
    intro.textContent = message;
    const errorList = document.createElement('ul');
    errorList.append(...items);
    problems.replaceChildren(intro, ...(items.length ? [ errorList ] : []));
    problems.hidden = false;
  }

  function hideProblems() {
    problems.hidden = true;
    problems.replaceChildren();
  }

  function createEditor() {
    if (locale !== 'en') {
      translateFormEditor(editorBox);
    }
    editor = new FormEditor({ exporter: { name: 'Sløyfe', version: '1' } });
    // The palette lists the registered types when it is first drawn, so the types Sløyfe
    // cannot render go before the editor is attached.
    const registered = editor.get('formFields')._formFields;
    for (const type of UNSUPPORTED_TYPES) {
      delete registered[type];
    }
    editor.attachTo(editorBox);
    editor.on('changed', () => {
      if (importing || openId === null) {
        return;
      }
      forms[openId] = editor.saveSchema();
      markChanged();
      render();
    });
  }

  async function deployedForm(formId) {
    if (!deployed.has(formId)) {
      try {
        deployed.set(formId, await callApi(root, 'GET', `/api/v1/forms/${encodeURIComponent(formId)}`,
          undefined, texts.networkError));
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 404) {
          throw error;
        }
        deployed.set(formId, null);
      }
    }
    return deployed.get(formId);
  }

  /** Open `formId` in the editor: the draft's copy, else the newest deployed version. */
  async function open(formId) {
    hideProblems();
    let schema;
    try {
      if (Object.prototype.hasOwnProperty.call(forms, formId)) {
        schema = asSchema(forms[formId]);
      } else {
        const found = await deployedForm(formId);
        schema = found ? JSON.parse(found.source) : { type: 'default', id: formId, components: [] };
      }
    } catch (error) {
      notify(formatText(texts.formOpenFailed, { form: formId, reason: error.message }), 'danger');
      return;
    }
    if (!editor) {
      createEditor();
    }
    importing = true;
    try {
      await editor.importSchema(schema);
    } catch (error) {
      notify(formatText(texts.formOpenFailed, { form: formId, reason: error.message }), 'danger');
      return;
    } finally {
      importing = false;
    }
    openId = formId;
    root.dataset.openForm = formId;
    heading.textContent = formatText(texts.formHeading, { form: formId });
    editorArea.hidden = false;
    render();
  }

  function stateText(formId, found) {
    if (Object.prototype.hasOwnProperty.call(forms, formId)) {
      return texts.formChanged;
    }
    if (found) {
      return formatText(texts.formDeployed, { version: found.version });
    }
    return deployed.has(formId) ? texts.formMissing : '';
  }

  function listItem(formId, users) {
    const item = document.createElement('li');
    item.dataset.formId = formId;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'ds-button';
    button.dataset.variant = 'tertiary';
    button.dataset.size = 'sm';
    button.textContent = formId;
    if (formId === openId) {
      button.setAttribute('aria-current', 'true');
    }
    button.addEventListener('click', () => open(formId));
    const details = document.createElement('span');
    const found = deployed.get(formId);
    const parts = [
      users.length ? formatText(texts.formUsedBy, { elements: users.join(', ') }) : texts.formUnused,
      stateText(formId, found),
    ].filter(Boolean);
    details.textContent = parts.join(' · ');
    item.append(button, ' ', details);
    return item;
  }

  /** Offer the draft's forms in the form reference picker, beside the deployed ones. */
  function offerDraftForms() {
    const datalist = root.querySelector('#modeler-values-forms');
    if (!datalist) {
      return;
    }
    const listed = new Set([ ...datalist.options ].map((option) => option.value));
    for (const formId of Object.keys(forms).sort()) {
      if (!listed.has(formId)) {
        const option = new Option(formatText(texts.formDraftOption, { form: formId }), formId);
        option.dataset.draftForm = '';
        datalist.append(option);
      }
    }
  }

  function render() {
    offerDraftForms();
    const referenced = referencedForms(modeler);
    const ids = [ ...new Set([ ...referenced.keys(), ...Object.keys(forms) ]) ].sort();
    if (!ids.length) {
      const item = document.createElement('li');
      item.textContent = texts.formNone;
      list.replaceChildren(item);
      return;
    }
    list.replaceChildren(...ids.map((formId) => listItem(formId, referenced.get(formId) || [])));
    // Learn the deployed versions in the background; the list is drawn again with them. A
    // form the draft holds shows as changed, so its deployed version is not asked for: a new
    // form has none, and asking would log a 404 in the console.
    const unknown = ids.filter((formId) => !deployed.has(formId)
      && !Object.prototype.hasOwnProperty.call(forms, formId));
    if (unknown.length) {
      Promise.all(unknown.map((formId) => deployedForm(formId).catch(() => null)))
        .then(() => render());
    }
  }

  function createForm(input) {
    const formId = input.value.trim();
    const known = Object.prototype.hasOwnProperty.call(forms, formId) || deployed.get(formId);
    let message = '';
    if (!FORM_ID.test(formId)) {
      message = texts.formIdInvalid;
    } else if (known) {
      message = formatText(texts.formIdTaken, { form: formId });
    }
    const error = panel.querySelector('[data-form-new-error]');
    error.textContent = message;
    error.hidden = !message;
    input.toggleAttribute('aria-invalid', Boolean(message));
    if (message) {
      input.focus();
      return;
    }
    forms[formId] = { type: 'default', id: formId, components: [] };
    markChanged();
    input.value = '';
    notify(formatText(texts.formCreated, { form: formId }), 'info');
    open(formId);
  }

  async function upload(input) {
    const file = input.files[0];
    input.value = '';
    if (!file) {
      return;
    }
    hideProblems();
    let text;
    let check;
    try {
      // A file in another encoding than UTF-8 would otherwise be read with replacement
      // characters in place of its letters, and deployed so.
      text = new TextDecoder('utf-8', { fatal: true }).decode(await file.arrayBuffer());
    } catch (error) {
      showProblems(formatText(texts.formNotUtf8, { name: file.name }));
      return;
    }
    try {
      check = await callApi(root, 'POST', '/api/v1/forms/check', { source: text },
        texts.networkError);
    } catch (error) {
      showProblems(formatText(texts.formUploadFailed, { name: file.name, reason: error.message }));
      return;
    }
    if (!check.valid) {
      showProblems(formatText(texts.formUploadRefused, { name: file.name }), check.errors);
      notify(formatText(texts.formUploadRefused, { name: file.name }), 'danger');
      return;
    }
    forms[check.form_id] = text;
    markChanged();
    notify(formatText(texts.formUploaded, { name: file.name, form: check.form_id }), 'info');
    await open(check.form_id);
  }

  function download() {
    if (openId === null) {
      return;
    }
    if (Object.prototype.hasOwnProperty.call(forms, openId)) {
      offerFile(`${openId}.form`, asFileText(forms[openId]));
      return;
    }
    // Unchanged: the file exactly as it was deployed.
    const link = document.createElement('a');
    link.href = `/api/v1/forms/${encodeURIComponent(openId)}/file`;
    link.download = `${openId}.form`;
    document.body.append(link);
    link.click();
    link.remove();
  }

  const newInput = panel.querySelector('[data-form-new-id]');
  panel.querySelector('[data-form-new]').addEventListener('click', () => createForm(newInput));
  newInput.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      createForm(newInput);
    }
  });
  const fileInput = panel.querySelector('[data-form-upload]');
  fileInput.addEventListener('change', () => upload(fileInput));
  panel.querySelector('[data-form-download]').addEventListener('click', download);
  // values.js fills the picker with the deployed forms when their list arrives, replacing
  // what it held, so the draft's forms go back in after each refill.
  const picker = root.querySelector('#modeler-values-forms');
  if (picker) {
    new MutationObserver(offerDraftForms).observe(picker, { childList: true });
  }
  root.addEventListener('sloyfe:open-form', (event) => {
    root.querySelector('[data-modeler-tab="forms"]').click();
    open(event.detail);
  });
  modeler.on('commandStack.changed', () => render());
  modeler.on('import.done', () => render());
  render();
  return { open, render };
}

/** Switch between the diagram and the form tab with the tab buttons in `root`. */
export function setUpTabs(root, modeler) {
  const tabs = [ ...root.querySelectorAll('[data-modeler-tab]') ];
  function select(name) {
    for (const tab of tabs) {
      const selected = tab.dataset.modelerTab === name;
      tab.setAttribute('aria-selected', String(selected));
      tab.tabIndex = selected ? 0 : -1;
      root.querySelector(`[data-modeler-panel="${tab.dataset.modelerTab}"]`).hidden = !selected;
    }
    if (name === 'diagram') {
      modeler.get('canvas').resized();
    }
  }
  // Validating and publishing list their findings under the diagram, forms included.
  for (const button of root.querySelectorAll('[data-modeler-validate], [data-modeler-publish]')) {
    button.addEventListener('click', () => select('diagram'));
  }
  for (const [ index, tab ] of tabs.entries()) {
    tab.addEventListener('click', () => select(tab.dataset.modelerTab));
    tab.addEventListener('keydown', (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (step) {
        const next = tabs[(index + step + tabs.length) % tabs.length];
        select(next.dataset.modelerTab);
        next.focus();
      }
    });
  }
}

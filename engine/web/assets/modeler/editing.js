// The toolbar of users who may change the process: save state, drafts, upload, validation
// and publishing. Drafts and deploys go through /api/v1/drafts (engine/api/drafts.py).

import { ApiError, callApi } from './api.js';
import { importDiagram, uploadRefusal } from './interchange.js';
import { createValidation } from './problems.js';
import { formatText } from './texts.js';
import { setUpValues } from './values.js';
import { fitDiagram } from './viewport.js';

function formatTime(iso, locale) {
  const format = new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'nb-NO', {
    dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Oslo' });
  return format.format(new Date(iso));
}

/** Return the id of the first process in the diagram, the key it deploys under. */
function diagramProcessKey(modeler) {
  const process = (modeler.getDefinitions().rootElements || [])
    .find((element) => element.$type === 'bpmn:Process');
  return process ? process.id : null;
}

/** Show `message` in the page's alert ('danger') or notice ('info') box, hiding the other. */
export function notifier(root) {
  const alert = root.querySelector('[data-modeler-status]');
  const notice = root.querySelector('[data-modeler-notice]');
  return (message, color) => {
    const [ shown, hidden ] = color === 'danger' ? [ alert, notice ] : [ notice, alert ];
    shown.textContent = message;
    shown.hidden = false;
    hidden.hidden = true;
  };
}

/**
 * Set up editing in `root` for `modeler`. `forms` are the form-js schemas of the opened draft
 * ({} for a deployed version); they are validated, saved and deployed with the diagram.
 */
export function setUpEditing(root, modeler, { texts, locale, forms, saveXML }) {
  const notify = notifier(root);
  const validation = createValidation(root, modeler, texts);
  const state = root.querySelector('[data-modeler-save-state]');
  const dialog = root.querySelector('[data-modeler-publish-dialog]');
  let draftId = root.dataset.draftId ? Number(root.dataset.draftId) : null;
  let dirty = false;

  function setDirty(value) {
    dirty = value;
    root.dataset.dirty = value ? 'true' : 'false';
    state.textContent = value ? texts.unsaved : (draftId ? texts.saved : '');
  }

  modeler.on('commandStack.changed', () => setDirty(true));
  window.addEventListener('beforeunload', (event) => {
    if (dirty) {
      event.preventDefault();
      // Older browsers show the dialog only when returnValue is set.
      event.returnValue = '';
    }
  });

  async function listDrafts() {
    const list = root.querySelector('[data-modeler-drafts]');
    const key = root.dataset.processKey;
    try {
      const answer = await callApi(root, 'GET', `/api/v1/drafts?process=${encodeURIComponent(key)}`,
        undefined, texts.networkError);
      if (!answer.items.length) {
        const item = document.createElement('li');
        item.textContent = texts.noDrafts;
        list.replaceChildren(item);
        return;
      }
      list.replaceChildren(...answer.items.map((draft) => {
        const item = document.createElement('li');
        const link = document.createElement('a');
        link.className = 'ds-link';
        link.href = `${root.dataset.pageUrl}?utkast=${draft.id}`;
        link.textContent = formatText(texts.draftItem, {
          label: draft.label || formatText(texts.unnamedDraft, { id: draft.id }),
          author: draft.author,
          time: formatTime(draft.updated_at, locale),
        });
        if (draft.id === draftId) {
          link.setAttribute('aria-current', 'page');
        }
        item.append(link);
        return item;
      }));
    } catch (error) {
      const item = document.createElement('li');
      item.textContent = formatText(texts.draftsFailed, { reason: error.message });
      list.replaceChildren(item);
    }
  }

  /** Save the diagram as a new draft or over the opened one; return the draft. */
  async function saveDraft() {
    const body = { bpmn_xml: await saveXML(), forms, process: root.dataset.processKey };
    state.textContent = texts.saving;
    try {
      const draft = draftId
        ? await callApi(root, 'PUT', `/api/v1/drafts/${draftId}`, body, texts.networkError)
        : await callApi(root, 'POST', '/api/v1/drafts', body, texts.networkError);
      draftId = draft.id;
      root.dataset.draftId = String(draft.id);
      // A draft of another process (an uploaded file with another process id) opens only
      // on that process's page, so the address stays as it is.
      if (draft.process_key === root.dataset.processKey) {
        history.replaceState(null, '', `${root.dataset.pageUrl}?utkast=${draft.id}`);
      }
      setDirty(false);
      listDrafts();
      return draft;
    } catch (error) {
      setDirty(dirty);
      throw error;
    }
  }

  async function validateNow() {
    return validation.validate(await saveXML(), forms);
  }

  function askChangeNote() {
    const note = dialog.querySelector('[data-modeler-change-note]');
    const error = dialog.querySelector('[data-modeler-change-note-error]');
    error.hidden = true;
    note.removeAttribute('aria-invalid');
    return new Promise((resolve) => {
      dialog.addEventListener('close', () => {
        resolve(dialog.returnValue === 'publish' ? note.value.trim() : null);
      }, { once: true });
      dialog.returnValue = '';
      dialog.showModal();
      note.focus();
    });
  }

  async function publish() {
    let report;
    try {
      report = await validateNow();
    } catch (error) {
      notify(formatText(texts.publishFailed, { reason: error.message }), 'danger');
      return;
    }
    if (report.errors.length) {
      notify(texts.publishRefused, 'danger');
      root.querySelector('[data-modeler-problems] button')?.focus();
      return;
    }
    const note = await askChangeNote();
    if (note === null) {
      return;
    }
    if (!note) {
      notify(texts.changeNoteMissing, 'danger');
      return;
    }
    try {
      const saved = await saveDraft();
      notify(texts.publishing, 'info');
      const deployed = await callApi(root, 'POST', `/api/v1/drafts/${saved.id}/deploy`,
        { change_note: note }, texts.networkError);
      dialog.querySelector('[data-modeler-change-note]').value = '';
      notify(formatText(texts.published, { version: deployed.deployed_version }), 'info');
      const versionNote = root.querySelector('[data-modeler-version-note]');
      if (versionNote) {
        versionNote.textContent = formatText(texts.newestVersion, {
          version: deployed.deployed_version, key: deployed.process_key });
      }
      listDrafts();
    } catch (error) {
      if (error instanceof ApiError && error.problem.problems) {
        validation.show({ errors: error.problem.problems, warnings: [] });
      }
      notify(formatText(texts.publishFailed, { reason: error.message }), 'danger');
    }
  }

  async function upload(input) {
    const file = input.files[0];
    if (!file) {
      return;
    }
    const refuse = (reason) => notify(formatText(texts.uploadFailed, { name: file.name, reason }),
      'danger');
    try {
      const content = await file.text();
      const refusal = uploadRefusal(file, content, Number(root.dataset.maxBytes));
      if (refusal) {
        refuse(formatText(texts[refusal], {
          size: Math.ceil(file.size / 1024), limit: Math.floor(Number(root.dataset.maxBytes) / 1024) }));
        return;
      }
      await replaceDiagram(file, content, refuse);
    } finally {
      input.value = '';
    }
  }

  async function replaceDiagram(file, content, refuse) {
    let before = null;
    try {
      before = await saveXML();
    } catch (error) {
      console.warn('The diagram on the canvas could not be exported before the upload:', error);
    }
    try {
      await importDiagram(modeler, content);
    } catch (error) {
      // bpmn-js reports in English; the user gets the reason in their language.
      console.warn('The uploaded BPMN file could not be imported:', error);
      // A file that parses but cannot be drawn has already cleared the canvas.
      if (before !== null) {
        await importDiagram(modeler, before);
      }
      refuse(texts.uploadNotBpmn);
      return;
    }
    validation.reset();
    fitDiagram(modeler);
    setDirty(true);
    const key = diagramProcessKey(modeler);
    if (key && key !== root.dataset.processKey) {
      notify(formatText(texts.otherProcess, {
        name: file.name, key, expected: root.dataset.processKey }), 'danger');
    } else {
      notify(formatText(texts.uploaded, { name: file.name }), 'info');
    }
  }

  root.querySelector('[data-modeler-validate]').addEventListener('click', () => {
    validateNow().catch(() => {
      // The summary beside the canvas shows the failure.
    });
  });
  root.querySelector('[data-modeler-save]').addEventListener('click', async () => {
    try {
      await saveDraft();
      notify(texts.draftSaved, 'info');
    } catch (error) {
      notify(formatText(texts.saveFailed, { reason: error.message }), 'danger');
    }
  });
  root.querySelector('[data-modeler-publish]').addEventListener('click', publish);
  const fileInput = root.querySelector('[data-modeler-upload]');
  fileInput.addEventListener('change', () => upload(fileInput));

  setUpValues(root, modeler, texts, notify);
  listDrafts();
  setDirty(false);
  return { validate: validateNow, saveDraft, isDirty: () => dirty,
    markChanged: () => setDirty(true) };
}

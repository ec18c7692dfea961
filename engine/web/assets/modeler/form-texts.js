// The form editor's own texts in bokmål. form-js-editor 1.23 has no translate service, because
// its palette and properties panel write English literals. So the texts it draws are replaced
// as they appear, in text nodes and in the title, placeholder and aria-label attributes, looked
// up in forms-nb.json by their whole English text. The form being designed (.fjs-form) and the
// field names in the panel header are the user's own texts and stay untouched.

import nb from './forms-nb.json';

const ATTRIBUTES = [ 'title', 'placeholder', 'aria-label' ];
const USER_TEXT = '.fjs-form, .bio-properties-panel-header-label';
// Text typed into the panel's expression editors (CodeMirror) is the user's as well; the
// editor's own aria-label is not.
const TYPED_TEXT = `${USER_TEXT}, [contenteditable]`;
// The palette's button titles are built as "Create a <field> element".
const CREATE_TITLE = /^Create an? (.+) element$/;

function lookUp(text) {
  const trimmed = text.trim();
  if (Object.prototype.hasOwnProperty.call(nb, trimmed)) {
    return text.replace(trimmed, nb[trimmed]);
  }
  const create = CREATE_TITLE.exec(trimmed);
  if (create && Object.prototype.hasOwnProperty.call(nb, create[1])) {
    return `${nb.Create}: ${nb[create[1]].toLowerCase()}`;
  }
  return null;
}

function translateElement(element) {
  if (element.closest(USER_TEXT)) {
    return;
  }
  for (const attribute of ATTRIBUTES) {
    const value = element.getAttribute(attribute);
    const translated = value && lookUp(value);
    if (translated && translated !== value) {
      element.setAttribute(attribute, translated);
    }
  }
}

function translateText(node) {
  const parent = node.parentElement;
  if (!parent || parent.closest(TYPED_TEXT)) {
    return;
  }
  const translated = lookUp(node.data);
  if (translated && translated !== node.data) {
    node.data = translated;
  }
}

function translateTree(root) {
  if (root.nodeType === Node.TEXT_NODE) {
    translateText(root);
    return;
  }
  if (root.nodeType !== Node.ELEMENT_NODE) {
    return;
  }
  translateElement(root);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.nodeType === Node.TEXT_NODE) {
      translateText(node);
    } else {
      translateElement(node);
    }
  }
}

/** Keep the texts that form-js-editor draws inside `container` in bokmål. */
export function translateFormEditor(container) {
  translateTree(container);
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === 'characterData') {
        translateText(record.target);
      } else if (record.type === 'attributes') {
        translateElement(record.target);
      } else {
        record.addedNodes.forEach(translateTree);
      }
    }
  });
  observer.observe(container, {
    subtree: true, childList: true, characterData: true,
    attributes: true, attributeFilter: ATTRIBUTES,
  });
  return observer;
}

/** The English texts the dictionary translates, for tests. */
export const FORM_EDITOR_TEXTS = Object.keys(nb);

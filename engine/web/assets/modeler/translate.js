// The diagram's `translate` service in the user's language. bpmn-js, diagram-js and the
// properties panel pass every text they show through it, keyed by the English text.

import nb from './nb.json';

const DICTIONARIES = { nb };

/**
 * Fill the {name} placeholders of a text, as diagram-js's own translate service does.
 * A placeholder without a replacement stays as written.
 */
function fill(template, replacements = {}) {
  return template.replace(/{([^}]+)}/g, (placeholder, key) => (
    Object.prototype.hasOwnProperty.call(replacements, key) ? replacements[key] : placeholder
  ));
}

/**
 * Build a diagram module that overrides 'translate' for `locale`. A locale without a
 * dictionary (English) shows the texts as bpmn-js ships them, and a text that the
 * dictionary lacks is shown in English.
 */
export function translateModule(locale) {
  const dictionary = DICTIONARIES[locale] || {};

  function translate(template, replacements) {
    const text = Object.prototype.hasOwnProperty.call(dictionary, template)
      ? dictionary[template] : template;
    return fill(text, replacements);
  }

  return { translate: [ 'value', translate ] };
}

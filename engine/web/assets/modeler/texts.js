// The page's own messages, rendered by the server through gettext into a JSON script element
// ([data-modeler-texts]) with "%(name)s" placeholders.

/** Return the messages of `root`, or an empty object when the page has none. */
export function readTexts(root) {
  const element = root.querySelector('[data-modeler-texts]');
  if (!element) {
    return {};
  }
  try {
    return JSON.parse(element.textContent);
  } catch (error) {
    console.warn('The modeler texts are not valid JSON:', error);
    return {};
  }
}

/** Fill the %(name)s placeholders of `template`; a missing value stays as written. */
export function formatText(template, values = {}) {
  return String(template || '').replace(/%\(([a-z_]+)\)s/gi, (placeholder, name) => (
    Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : placeholder
  ));
}

// Reading BPMN files that other tools wrote: the checks an uploaded file must pass before
// bpmn-js parses it, and the import that works around a namespace prefix clash in the
// XML writer of bpmn-js 18 (moddle-xml 11).

/**
 * Return the key of the text in `texts` that explains why the uploaded `file` is rejected, or
 * null. `maxBytes` is the largest diagram the server accepts. The server's XML parser rejects
 * every DOCTYPE and entity, so a file with one could never be published.
 */
export function uploadRefusal(file, content, maxBytes) {
  if (maxBytes && file.size > maxBytes) {
    return 'uploadTooLarge';
  }
  if (/<!DOCTYPE/i.test(content) || /<!ENTITY/i.test(content)) {
    return 'uploadDoctype';
  }
  return null;
}

/** Return the namespace URI of each prefix the modeler's own packages use (bpmn, camunda …). */
function packagePrefixes(modeler) {
  const prefixes = new Map();
  for (const pkg of modeler.get('moddle').getPackages()) {
    if (pkg.prefix && pkg.uri) {
      prefixes.set(pkg.prefix, pkg.uri);
    }
  }
  return prefixes;
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Rename every prefix of `xml` that the modeler's packages use for another namespace, such as
 * xmlns:camunda="http://activiti.org/bpmn" in files from Activiti and Signavio. The writer of
 * bpmn-js gives such attributes an undeclared prefix (ns0) and saveXML() then throws, so the
 * file could not be saved, downloaded or replaced. Renaming a prefix keeps every namespace
 * URI, so the document means the same. Returns { xml, renamed: [[old, new], ...] }.
 *
 * NOTE: only prefixes declared once are renamed, and only in element and attribute names;
 * a QName in an attribute value (type="camunda:Foo") keeps the old prefix.
 */
export function renameClashingPrefixes(modeler, xml) {
  const renamed = [];
  let result = xml;
  for (const [ prefix, uri ] of packagePrefixes(modeler)) {
    const declaration = new RegExp(`xmlns:${escapeRegExp(prefix)}\\s*=\\s*(["'])(.*?)\\1`, 'g');
    const declared = [ ...result.matchAll(declaration) ];
    if (declared.length !== 1 || declared[0][2] === uri) {
      continue;
    }
    let replacement = `${prefix}_1`;
    for (let count = 2; result.includes(`xmlns:${replacement}=`); count += 1) {
      replacement = `${prefix}_${count}`;
    }
    const qualified = new RegExp(`(^<\\/?|\\s)${escapeRegExp(prefix)}:`, 'g');
    const declaring = new RegExp(`xmlns:${escapeRegExp(prefix)}(?=\\s*=)`, 'g');
    result = result.replace(/<[^!?][^>]*>/g, (tag) => tag
      .replace(qualified, `$1${replacement}:`)
      .replace(declaring, `xmlns:${replacement}`));
    renamed.push([ prefix, replacement ]);
  }
  return { xml: result, renamed };
}

/** Import `xml` into `modeler` with clashing prefixes renamed; return the import's warnings. */
export async function importDiagram(modeler, xml) {
  const { xml: readable, renamed } = renameClashingPrefixes(modeler, xml);
  for (const [ prefix, replacement ] of renamed) {
    console.warn(`The prefix ${prefix} names another namespace here; it is read as ${replacement}.`);
  }
  const { warnings } = await modeler.importXML(readable);
  for (const warning of warnings) {
    console.warn('BPMN import warning:', warning.message);
  }
  return warnings;
}

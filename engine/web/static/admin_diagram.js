// Markers on the read-only diagram of the administration pages.
//
// The page's [data-sloyfe-modeler] element (see templates/admin_macros.html) names in
// data-markers-url a JSON document of the form
//   { "elements": [ { "id": "...", "markers": ["active", "done", "incident"],
//                     "active": 1, "done": 2, "incidents": 0,
//                     "incident_messages": [ { "id": 7, "message": "..." } ] }, ... ] }
// Each marker becomes the CSS class sloyfe-marker-<marker> on the element (see admin.css),
// and the counts become small badges: instances there now at the top left, instances that
// passed at the bottom right. An element with open incidents gets a red "!" and, when the
// JSON carries their messages, a note under it that links to the incidents table. The heat
// classes sloyfe-heat-1 … 4 grade the elements by the share of the largest active count.
// The tables on the page hold the same numbers.

import { init } from './dist/modeler.js';

const HEAT_LEVELS = 4;

async function fetchMarkers(url) {
  const response = await fetch(url, {
    credentials: 'same-origin',
    headers: { Accept: 'application/json' },
  });
  if (!response.ok) {
    throw new Error(`GET ${url} failed with HTTP ${response.status}`);
  }
  return response.json();
}

function badge(kind, text, title) {
  const element = document.createElement('span');
  element.className = `sloyfe-badge sloyfe-badge-${kind}`;
  element.textContent = text;
  element.title = title;
  return element;
}

// The "!" of an element with open incidents. On the instance page it links to the first
// incident's row in the table below the diagram, and its title is the message.
function incidentBadge(messages, label) {
  if (messages.length === 0) {
    return badge('incident', '!', label);
  }
  const link = document.createElement('a');
  link.className = 'sloyfe-badge sloyfe-badge-incident';
  link.href = `#incident-${messages[0].id}`;
  link.textContent = '!';
  link.title = `${label}: ${messages.map((entry) => entry.message).join(' | ')}`;
  return link;
}

// The incident messages written under the failed element, so they can be read on the
// diagram without hovering.
function incidentNote(elementId, messages) {
  const note = document.createElement('div');
  note.className = 'sloyfe-incident-note';
  note.dataset.elementId = elementId;
  for (const entry of messages) {
    const line = document.createElement('a');
    line.href = `#incident-${entry.id}`;
    line.textContent = entry.message;
    note.append(line);
  }
  return note;
}

function mark(viewer, root, data) {
  const canvas = viewer.get('canvas');
  const overlays = viewer.get('overlays');
  const registry = viewer.get('elementRegistry');
  const labels = root.dataset;
  const largest = Math.max(1, ...data.elements.map((item) => item.active));

  for (const item of data.elements) {
    if (!registry.get(item.id)) {
      continue; // an element of an older version that the shown diagram lacks
    }
    for (const marker of item.markers) {
      canvas.addMarker(item.id, `sloyfe-marker-${marker}`);
    }
    if (item.active > 0) {
      const level = Math.max(1, Math.ceil((item.active / largest) * HEAT_LEVELS));
      canvas.addMarker(item.id, `sloyfe-heat-${level}`);
      overlays.add(item.id, {
        position: { top: -10, left: -10 },
        html: badge('active', String(item.active), labels.labelActive || ''),
      });
    }
    if (item.done > 0) {
      overlays.add(item.id, {
        position: { bottom: 10, right: 10 },
        html: badge('done', String(item.done), labels.labelDone || ''),
      });
    }
    if (item.incidents > 0) {
      const messages = item.incident_messages || [];
      overlays.add(item.id, {
        position: { top: -10, right: 10 },
        html: incidentBadge(messages, labels.labelIncident || ''),
      });
      if (messages.length > 0) {
        overlays.add(item.id, {
          position: { bottom: -8, left: 0 },
          html: incidentNote(item.id, messages),
        });
      }
    }
  }
  root.dataset.markersShown = 'true';
}

const root = document.querySelector('[data-sloyfe-modeler][data-markers-url]');
if (root) {
  Promise.all([ init(root), fetchMarkers(root.dataset.markersUrl) ])
    .then(([ handle, data ]) => mark(handle.modeler, root, data))
    .catch((error) => {
      console.warn('The diagram markers could not be shown:', error);
    });
}

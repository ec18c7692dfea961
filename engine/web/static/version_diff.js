// The comparison of two process versions: both diagrams in read-only bpmn-js viewers, with
// the elements of the change list marked on them.
//
// templates/process_version_diff.html renders the change list. Each item names its element
// in data-diff-element and the kind in data-diff-kind (added, removed or changed). An added
// element is marked on the newer diagram, a removed one on the older, and a changed one on
// both. Each marked element gets the CSS class sloyfe-diff-<kind> (see version-diff.css) and
// a badge with the kind as text, so that colour is not the only sign. Choosing "Show in the
// diagram" in the list selects the element and scrolls the viewers to it. Clicking a marked
// element in a diagram moves the focus to its item in the list.

import { init } from './dist/modeler.js';

const SIDES_BY_KIND = { added: [ 'new' ], removed: [ 'old' ], changed: [ 'old', 'new' ] };
const FOCUS_MARKER = 'sloyfe-diff-focus';

function badge(kind, text) {
  const element = document.createElement('span');
  element.className = `sloyfe-diff-badge sloyfe-diff-badge-${kind}`;
  element.textContent = text;
  return element;
}

function markViewer(viewer, side, items, labels) {
  const canvas = viewer.get('canvas');
  const overlays = viewer.get('overlays');
  const registry = viewer.get('elementRegistry');
  for (const item of items) {
    const { diffElement: id, diffKind: kind } = item.dataset;
    if (!SIDES_BY_KIND[kind]?.includes(side) || !registry.get(id)) {
      continue; // not shown on this side, or an element without a shape (a message, a lane set)
    }
    canvas.addMarker(id, `sloyfe-diff-${kind}`);
    overlays.add(id, 'sloyfe-diff', {
      position: { top: -12, left: 0 },
      html: badge(kind, labels[kind] || kind),
    });
  }
}

function focusElement(viewers, id, kind) {
  for (const [ side, viewer ] of viewers) {
    const canvas = viewer.get('canvas');
    const registry = viewer.get('elementRegistry');
    for (const shape of registry.filter((element) => canvas.hasMarker(element, FOCUS_MARKER))) {
      canvas.removeMarker(shape, FOCUS_MARKER);
    }
    const element = registry.get(id);
    if (!element || !SIDES_BY_KIND[kind]?.includes(side)) {
      viewer.get('selection').select(null);
      continue;
    }
    canvas.addMarker(element, FOCUS_MARKER);
    viewer.get('selection').select(element);
    if (element.waypoints || element.width) {
      canvas.scrollToElement(element, { top: 80, right: 80, bottom: 80, left: 80 });
    }
  }
}

function connectList(root, viewers, items) {
  for (const item of items) {
    const button = item.querySelector('[data-diff-show]');
    if (!button) {
      continue;
    }
    button.hidden = false;
    button.addEventListener('click', () => {
      for (const other of items) {
        other.removeAttribute('aria-current');
      }
      item.setAttribute('aria-current', 'true');
      focusElement(viewers, item.dataset.diffElement, item.dataset.diffKind);
      root.scrollIntoView({ behavior: 'smooth', block: 'start' });
    });
  }
  for (const [ , viewer ] of viewers) {
    viewer.get('eventBus').on('element.click', ({ element }) => {
      const item = items.find((candidate) => candidate.dataset.diffElement === element.id);
      const button = item?.querySelector('[data-diff-show]');
      if (button) {
        item.scrollIntoView({ behavior: 'smooth', block: 'center' });
        button.focus({ preventScroll: true });
      }
    });
  }
}

async function start(root) {
  const items = [ ...document.querySelectorAll('[data-diff-list] [data-diff-element]') ];
  const labels = {
    added: root.dataset.labelAdded,
    removed: root.dataset.labelRemoved,
    changed: root.dataset.labelChanged,
  };
  const sides = [ ...root.querySelectorAll('[data-sloyfe-modeler][data-diff-side]') ];
  const handles = await Promise.all(sides.map((side) => init(side)));
  const viewers = new Map(sides.map((side, index) => [ side.dataset.diffSide, handles[index].modeler ]));
  for (const [ side, viewer ] of viewers) {
    markViewer(viewer, side, items, labels);
  }
  connectList(root, viewers, items);
  root.dataset.diffShown = 'true';
}

const diffRoot = document.querySelector('[data-version-diff]');
if (diffRoot) {
  start(diffRoot).catch((error) => {
    // The viewer shows its own message in [data-modeler-status]; the list still works.
    console.warn('The changes could not be marked on the diagrams:', error);
  });
}

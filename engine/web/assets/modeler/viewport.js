// Fitting the diagram into the canvas beside the palette, which bpmn-js draws over the
// canvas's left edge.

/** Space in pixels between the diagram and the canvas's edges or the palette. */
const MARGIN = 24;

/** Return the x in pixels, from the canvas's left edge, where the palette ends (0 without). */
export function paletteEdge(container) {
  const palette = container.querySelector('.djs-palette');
  if (!palette) {
    return 0;
  }
  const box = palette.getBoundingClientRect();
  return box.width ? box.right - container.getBoundingClientRect().left : 0;
}

/**
 * Zoom the diagram to fit the canvas, at most to 100 %, with its left edge clear of the
 * palette. A hidden canvas has no size, so there bpmn-js's own fit is used.
 */
export function fitDiagram(modeler) {
  const canvas = modeler.get('canvas');
  const container = canvas.getContainer();
  const { inner } = canvas.viewbox();
  const box = container.getBoundingClientRect();
  const left = paletteEdge(container) + MARGIN;
  const width = box.width - left - MARGIN;
  const height = box.height - 2 * MARGIN;
  if (!inner.width || !inner.height || width <= 0 || height <= 0) {
    canvas.zoom('fit-viewport', 'auto');
    return;
  }
  const scale = Math.min(1, width / inner.width, height / inner.height);
  canvas.viewbox({
    x: inner.x - left / scale,
    y: inner.y - MARGIN / scale,
    width: box.width / scale,
    height: box.height / scale,
  });
}

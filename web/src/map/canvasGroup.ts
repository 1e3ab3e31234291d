/**
 * Leaflet layers made by hand on a canvas of their own (no React component per shape), for
 * layers of thousands of shapes: React then only restyles them when what they show changes.
 */
import L from "leaflet";

/** A layer group with a canvas of its own in `pane`. */
export function canvasGroup(pane: string): [L.LayerGroup, L.Canvas] {
  return [L.layerGroup(), L.canvas({ pane })];
}

/**
 * Put the group on the map; the cleanup takes the layers off before their canvas. The map's own
 * remove() (the dashboard unmounting) would remove them in stamp order, the canvas (stamped when
 * made) before layers made after it, which then ask the removed canvas to redraw: so the group
 * leaves first, on the map's unload.
 */
export function addGroup(map: L.Map, group: L.LayerGroup, renderer: L.Canvas): () => void {
  const cleanup = () => {
    map.off("unload", cleanup);
    group.remove();
    renderer.remove();
  };
  group.addTo(map);
  map.on("unload", cleanup);
  return cleanup;
}

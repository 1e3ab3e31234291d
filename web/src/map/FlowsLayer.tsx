/**
 * The plan's flows on a canvas: one line per origin-destination pair, its width by units on a
 * square-root scale, intra-cluster solid green and cross-cluster dashed purple; a cluster's
 * traffic among its own stores is a ring around its centre. Leaflet layers are made here, not
 * through React components, so tens of thousands of lines cost one canvas and no React tree.
 * A click near a flow (our own hit test, see flows.ts) opens a popup saying what it carries.
 */
import L from "leaflet";
import { useEffect, useMemo, useRef, useState } from "react";
import { useMap, useMapEvents } from "react-leaflet";
import { arrowHead, routeWeight } from "../lib/geometry";
import { SCOPE_COLOURS } from "../lib/palette";
import { ARROW_LIMIT, type Flow, type FlowLevel, type FlowShape, describeFlow, flowAt, isLoop } from "./flows";

interface Props {
  flows: readonly Flow[];
  level: FlowLevel;
  /** Each store's cluster, to tell intra- from cross-cluster pairs of stores. */
  clusterOf: ReadonlyMap<string, string>;
  /** A line being looked at elsewhere (the table's selected row): the others fade. */
  faded: boolean;
}

/** Pixels either side of a line that still count as a click on it. */
const CLICK_TOLERANCE = 6;

function scopeOf(f: Flow, level: FlowLevel, clusterOf: ReadonlyMap<string, string>) {
  if (level === "cluster") return isLoop(f) ? "intra-cluster" : "cross-cluster";
  const a = clusterOf.get(f.origin);
  return a !== undefined && a === clusterOf.get(f.destination) ? "intra-cluster" : "cross-cluster";
}

/** Lines fade while a line chosen in the table is shown over them. */
export function lineOpacity(faded: boolean): number {
  return faded ? 0.2 : 0.75;
}

/** Ring radius in pixels for a cluster's own traffic drawn `weight` pixels wide. */
export function loopRadius(weight: number): number {
  return 12 + weight;
}

/** A layer group with a canvas of its own. */
function canvasGroup(): [L.LayerGroup, L.Canvas] {
  return [L.layerGroup(), L.canvas({ pane: "routes" })];
}

/**
 * Put the group on the map; the cleanup takes the layers off before their canvas. The map's own
 * remove() (the dashboard unmounting) would remove them in stamp order, the canvas (stamped when
 * made) before layers made after it, which then ask the removed canvas to redraw: so the group
 * leaves first, on the map's unload.
 */
function addGroup(map: L.Map, group: L.LayerGroup, renderer: L.Canvas): () => void {
  const cleanup = () => {
    map.off("unload", cleanup);
    group.remove();
    renderer.remove();
  };
  group.addTo(map);
  map.on("unload", cleanup);
  return cleanup;
}

export function FlowsLayer({ flows, level, clusterOf, faded }: Props) {
  const map = useMap();
  const [zoom, setZoom] = useState(() => map.getZoom());
  useMapEvents({ zoomend: () => setZoom(map.getZoom()) });

  const drawn = useMemo(() => {
    const maxUnits = flows.reduce((m, f) => Math.max(m, f.units), 0);
    return flows.map((f) => {
      const scope = scopeOf(f, level, clusterOf);
      return {
        flow: f,
        from: L.latLng(f.origin_lat, f.origin_lon),
        to: L.latLng(f.destination_lat, f.destination_lon),
        weight: routeWeight(f.units, maxUnits),
        colour: SCOPE_COLOURS[scope],
        dashed: scope === "cross-cluster",
      };
    });
  }, [flows, level, clusterOf]);

  // The lines are made when the flows change; fading them (a line selected in the table) only
  // restyles them, so choosing a row never rebuilds tens of thousands of layers.
  const lines = useRef<L.LayerGroup | null>(null);
  const fadedNow = useRef(faded);
  fadedNow.current = faded;
  useEffect(() => {
    const [group, renderer] = canvasGroup();
    const opacity = lineOpacity(fadedNow.current);
    // Smallest first, so that a wide flow never hides a narrow one under it.
    for (let i = drawn.length - 1; i >= 0; i--) {
      const d = drawn[i];
      if (!d) continue;
      const style = {
        renderer,
        pane: "routes",
        interactive: false,
        color: d.colour,
        weight: d.weight,
        opacity,
        dashArray: d.dashed ? "10 6" : undefined,
        lineCap: "butt" as const,
      };
      if (isLoop(d.flow))
        group.addLayer(L.circleMarker(d.from, { ...style, radius: loopRadius(d.weight), fill: false }));
      else group.addLayer(L.polyline([d.from, d.to], style));
    }
    lines.current = group;
    return addGroup(map, group, renderer);
  }, [map, drawn]);
  useEffect(() => {
    lines.current?.eachLayer((l) => (l as L.Path).setStyle({ opacity: lineOpacity(faded) }));
  }, [faded]);

  // Arrow heads are sized in pixels, so they follow the zoom; only while there are few flows.
  useEffect(() => {
    if (drawn.length > ARROW_LIMIT) return;
    const [group, renderer] = canvasGroup();
    for (const d of drawn) {
      if (isLoop(d.flow)) continue;
      const a = map.project(d.from, zoom);
      const b = map.project(d.to, zoom);
      const head = arrowHead(a, b, 7 + d.weight).map((p) => map.unproject(L.point(p.x, p.y), zoom));
      const style = { renderer, pane: "routes", interactive: false, color: d.colour, weight: 1, fillColor: d.colour };
      const opacity = lineOpacity(faded);
      group.addLayer(L.polygon(head, { ...style, fillOpacity: opacity, opacity }));
    }
    return addGroup(map, group, renderer);
  }, [map, drawn, zoom, faded]);

  useMapEvents({
    click(e) {
      const shapes: FlowShape[] = drawn.map((d) => ({
        a: map.latLngToContainerPoint(d.from),
        b: map.latLngToContainerPoint(d.to),
        radius: isLoop(d.flow) ? loopRadius(d.weight) : 0,
      }));
      const hit = flowAt(e.containerPoint, shapes, CLICK_TOLERANCE);
      const flow = drawn[hit]?.flow;
      if (!flow) return;
      const { title, detail } = describeFlow(flow, level);
      const box = document.createElement("div");
      box.className = "flow-popup";
      const strong = document.createElement("strong");
      strong.textContent = title;
      box.append(strong, document.createElement("br"), detail);
      L.popup().setLatLng(e.latlng).setContent(box).openOn(map);
    },
  });

  return null;
}

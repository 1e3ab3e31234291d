/**
 * The plan's flows on a canvas: one line per origin-destination pair, its width by units on a
 * square-root scale, intra-cluster solid green and cross-cluster dashed purple; a cluster's
 * traffic among its own stores is a ring around its centre. Leaflet layers are made here, not
 * through React components, so tens of thousands of lines cost one canvas and no React tree.
 * A click near a flow (our own hit test, see flows.ts) opens a popup saying what it carries.
 */
import L from "leaflet";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useMap, useMapEvents } from "react-leaflet";
import { arrowHead, routeWeight } from "../lib/geometry";
import { SCOPE_COLOURS } from "../lib/palette";
import { addGroup, canvasGroup } from "./canvasGroup";
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

/** Opacity of the flows' lines and arrow heads. */
export const LINE_OPACITY = 0.75;
/** Opacity of the flows while a line chosen in the table is shown over them. */
export const FADED_OPACITY = 0.2;

/**
 * The CSS opacity of a flows canvas: fading makes the whole canvas fainter (one style change),
 * never each of tens of thousands of lines.
 */
export function canvasOpacity(faded: boolean): string {
  return faded ? (FADED_OPACITY / LINE_OPACITY).toFixed(3) : "";
}

/** Fade a canvas renderer's element (made when the renderer joins the map). */
function fade(renderer: L.Canvas, faded: boolean) {
  const element = (renderer as unknown as { _container?: HTMLElement })._container;
  if (element) element.style.opacity = canvasOpacity(faded);
}

/** Ring radius in pixels for a cluster's own traffic drawn `weight` pixels wide. */
export function loopRadius(weight: number): number {
  return 12 + weight;
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
  // changes their canvases' opacity, so choosing a row never touches tens of thousands of layers.
  const canvases = useRef(new Set<L.Canvas>());
  const fadedNow = useRef(faded);
  fadedNow.current = faded;
  /** Put the group on the map, faded as the flows are now, and keep its canvas for fading. */
  const show = useCallback(
    (group: L.LayerGroup, renderer: L.Canvas) => {
      const remove = addGroup(map, group, renderer);
      fade(renderer, fadedNow.current);
      canvases.current.add(renderer);
      return () => {
        canvases.current.delete(renderer);
        remove();
      };
    },
    [map],
  );
  useEffect(() => {
    const [group, renderer] = canvasGroup("routes");
    const opacity = LINE_OPACITY;
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
    return show(group, renderer);
  }, [show, drawn]);
  useEffect(() => {
    for (const renderer of canvases.current) fade(renderer, faded);
  }, [faded]);

  // Arrow heads are sized in pixels, so they follow the zoom; only while there are few flows.
  useEffect(() => {
    if (drawn.length > ARROW_LIMIT) return;
    const [group, renderer] = canvasGroup("routes");
    for (const d of drawn) {
      if (isLoop(d.flow)) continue;
      const a = map.project(d.from, zoom);
      const b = map.project(d.to, zoom);
      const head = arrowHead(a, b, 7 + d.weight).map((p) => map.unproject(L.point(p.x, p.y), zoom));
      const style = { renderer, pane: "routes", interactive: false, color: d.colour, weight: 1, fillColor: d.colour };
      group.addLayer(L.polygon(head, { ...style, fillOpacity: LINE_OPACITY, opacity: LINE_OPACITY }));
    }
    return show(group, renderer);
  }, [map, show, drawn, zoom]);

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

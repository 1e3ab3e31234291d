/**
 * The plan's lines summed per origin-destination pair (GET /api/v1/plans/{id}/flows), as the
 * map draws them: which level to ask for, how wide a flow is, and which flow a click hits.
 * Hit testing is ours, in screen pixels: the flows' canvas lies under the stores' canvas, which
 * would otherwise take every click.
 */
import { useQuery } from "@tanstack/react-query";
import { type ApiClient, unwrap } from "../api/client";
import type { components } from "../api/schema";
import { fmtDecimal, fmtInt } from "../lib/format";
import type { Point } from "../lib/geometry";
import type { Route } from "./routes";

export type Flow = components["schemas"]["Flow"];
export type FlowLevel = components["schemas"]["FlowCollection"]["level"];

/** From this zoom on (a region, a few hundred km across) the map shows store-to-store flows. */
export const STORE_LEVEL_ZOOM = 7;
/** Most pairs drawn: the largest by units; a canvas draws this many lines without stalling a pan. */
export const FLOW_LIMIT = 20_000;
/** Arrow heads only while they stay readable (and cheap): up to this many flows. */
export const ARROW_LIMIT = 600;

export interface FlowFocus {
  zoom: number;
  productId: string | null;
  storeId: string | null;
}

/**
 * Cluster to cluster at country scale; store to store when zoomed in, or when a product or a
 * store is chosen (their flows are few, and the planner wants to see which stores they join).
 */
export function flowLevel({ zoom, productId, storeId }: FlowFocus): FlowLevel {
  return productId !== null || storeId !== null || zoom >= STORE_LEVEL_ZOOM ? "store" : "cluster";
}

export interface FlowView {
  level: FlowLevel;
  /** Pairs matching the filters; more than drawn when the limit cut the smallest. */
  total: number;
  flows: Flow[];
}

/** The plan's flows at `level` for the focus; `level` null: none wanted (the map draws others). */
export function usePlanFlows(api: ApiClient, planId: string | null, level: FlowLevel | null, focus: FlowFocus) {
  const { productId, storeId } = focus;
  return useQuery({
    // Under ["plan"]: executing, receiving or cancelling refetches what the map shows.
    queryKey: ["plan", planId, "flows", level, productId, storeId],
    queryFn: async (): Promise<FlowView> => {
      const body = await unwrap(
        api.GET("/api/v1/plans/{plan_id}/flows", {
          params: {
            path: { plan_id: Number(planId) },
            query: { level: level ?? "cluster", product_id: productId, store_id: storeId, limit: FLOW_LIMIT },
          },
        }),
      );
      return { level: body.level, total: body.total, flows: body.flows };
    },
    enabled: planId !== null && level !== null,
    placeholderData: (previous) => previous,
    staleTime: 30_000,
  });
}

/** A flow that starts and ends in the same place: a cluster's traffic among its own stores. */
export function isLoop(f: Flow): boolean {
  return f.origin === f.destination;
}

/** Mean length of a flow's lines, weighted by units (unit-km over units). */
export function meanKm(f: Flow): number {
  return f.units > 0 ? f.unit_km / f.units : 0;
}

/** Screen geometry of a drawn flow: a segment, or for a loop a ring of `radius` pixels around `a`. */
export interface FlowShape {
  a: Point;
  b: Point;
  radius: number;
}

/** Pixel distance from `p` to the segment `a`-`b`. */
export function segmentDistance(p: Point, a: Point, b: Point): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const length2 = dx * dx + dy * dy;
  const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / length2));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

/**
 * The flow under a click at `p`: the nearest whose line (or ring) lies within `tolerance`
 * pixels, or -1. Ties go to the later flow (drawn on top).
 */
export function flowAt(p: Point, shapes: readonly FlowShape[], tolerance: number): number {
  let best = -1;
  let bestDistance = tolerance;
  shapes.forEach((s, i) => {
    const d = s.radius > 0 ? Math.abs(Math.hypot(p.x - s.a.x, p.y - s.a.y) - s.radius) : segmentDistance(p, s.a, s.b);
    if (d <= bestDistance) {
      best = i;
      bestDistance = d;
    }
  });
  return best;
}

/** What a flow's popup says: its ends, lines, units and mean distance. */
export function describeFlow(f: Flow, level: FlowLevel): { title: string; detail: string } {
  const what = level === "cluster" ? "Cluster" : "Store";
  const title = isLoop(f) ? `${what} ${f.origin}: among its own stores` : `${what} ${f.origin} → ${f.destination}`;
  const detail =
    `${fmtInt(f.units)} unit${f.units === 1 ? "" : "s"} in ${fmtInt(f.lines)} line${f.lines === 1 ? "" : "s"}, ` +
    `${fmtDecimal(meanKm(f))} km on average`;
  return { title, detail };
}

/**
 * Flows summed here from lines the dashboard already holds (those the transfers table's filter
 * lists), store to store, the most units first: the map then draws what the table lists.
 */
export function flowsOfRoutes(routes: readonly Route[]): FlowView {
  const pairs = new Map<string, Flow>();
  for (const { transfer: t, from, to } of routes) {
    const key = `${t.from_store}\u2192${t.to_store}`;
    let f = pairs.get(key);
    if (!f) {
      f = {
        origin: t.from_store,
        destination: t.to_store,
        origin_lat: from[0],
        origin_lon: from[1],
        destination_lat: to[0],
        destination_lon: to[1],
        lines: 0,
        units: 0,
        unit_km: 0,
      };
      pairs.set(key, f);
    }
    f.lines += 1;
    f.units += t.quantity;
    f.unit_km += t.quantity * t.distance_km;
  }
  const flows = [...pairs.values()].sort(
    (a, b) => b.units - a.units || a.origin.localeCompare(b.origin) || a.destination.localeCompare(b.destination),
  );
  return { level: "store", total: flows.length, flows: flows.slice(0, FLOW_LIMIT) };
}

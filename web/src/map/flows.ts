/**
 * The plan's lines summed per origin-destination pair (GET /api/v1/plans/{id}/flows), as the
 * map draws them: which level to ask for, how wide a flow is, and which flow a click hits.
 * Hit testing is ours, in screen pixels: the flows' canvas lies under the stores' canvas, which
 * would otherwise take every click.
 */
import { useQuery } from "@tanstack/react-query";
import { type ApiClient, unwrap } from "../api/client";
import type { components } from "../api/schema";
import type { Scope, TransferStatus } from "../api/types";
import { fmtDecimal, fmtInt } from "../lib/format";
import type { Point } from "../lib/geometry";
import type { TableFilter } from "../plan/TransfersTable";

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
  /** The product and store the flows were asked for (null: all). */
  productId: string | null;
  storeId: string | null;
  /** Pairs matching the filters; more than drawn when the limit cut the smallest. */
  total: number;
  /** Lines behind the flows drawn. */
  lines: number;
  flows: Flow[];
}

/** The transfers table's filters as the flows endpoint takes them (the same as its pages'). */
function filterParams(filter: TableFilter | null) {
  if (filter === null) return {};
  const text = filter.text.trim();
  return {
    ...(text === "" ? {} : { q: text }),
    ...(filter.scope === "" ? {} : { scope: filter.scope as Scope }),
    ...(filter.status === "" ? {} : { status: filter.status as TransferStatus }),
  };
}

/**
 * The plan's flows at `level` for the focus, narrowed by the transfers table's filters when it
 * has any (`filter`): the map then draws, summed, what the table lists.
 */
export function usePlanFlows(
  api: ApiClient,
  planId: string | null,
  level: FlowLevel,
  focus: FlowFocus,
  filter: TableFilter | null = null,
) {
  const { productId, storeId } = focus;
  return useQuery({
    // Under ["plan"]: executing, receiving or cancelling refetches what the map shows.
    queryKey: ["plan", planId, "flows", level, productId, storeId, filter],
    queryFn: async (): Promise<FlowView> => {
      const body = await unwrap(
        api.GET("/api/v1/plans/{plan_id}/flows", {
          params: {
            path: { plan_id: Number(planId) },
            query: {
              level,
              product_id: productId,
              store_id: storeId,
              ...filterParams(filter),
              limit: FLOW_LIMIT,
            },
          },
        }),
      );
      const lines = body.flows.reduce((n, f) => n + f.lines, 0);
      return { level: body.level, productId, storeId, total: body.total, lines, flows: body.flows };
    },
    enabled: planId !== null,
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

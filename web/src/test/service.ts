/**
 * A stubbed service for hook and component tests: `fetch` answers from a table of
 * "METHOD /path" handlers (the path without the query string); anything else is a 404.
 */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createElement, type ReactNode } from "react";
import { vi } from "vitest";
import { type ApiClient, makeClient } from "../api/client";

export type Handler = (request: Request) => [status: number, body: unknown] | Promise<[number, unknown]>;

export function answer(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": status < 400 ? "application/json" : "application/problem+json" },
  });
}

/** Stub `fetch` with the handlers; returns the mock (its calls are the requests made) and a client. */
export function stubService(handlers: Record<string, Handler>): { fetch: ReturnType<typeof vi.fn>; api: ApiClient } {
  const fetchMock = vi.fn(async (request: Request) => {
    const url = new URL(request.url);
    const handler = handlers[`${request.method} ${url.pathname}`];
    if (!handler) return answer(404, { title: "Not Found", status: 404, detail: `${request.method} ${url.pathname}` });
    const [status, body] = await handler(request);
    return answer(status, body);
  });
  vi.stubGlobal("fetch", fetchMock);
  return { fetch: fetchMock, api: makeClient("ssk_test", "http://stockshift.test") };
}

/** A wrapper giving a fresh query cache (no retries) to `render` or `renderHook`. */
export function withQueries(): ({ children }: { children: ReactNode }) => ReactNode {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return ({ children }) => createElement(QueryClientProvider, { client }, children);
}

/** What a plan document and a plan's summary both start with. */
function planHead(planId: number): Record<string, unknown> {
  return {
    plan_id: planId,
    status: "completed",
    progress: null,
    error: null,
    parameters: { target: "forecast" },
    created_at: "2026-11-25T10:00:00Z",
    finished_at: null,
    executed_at: null,
  };
}

/** A plan document as GET /api/v1/plans/{id} returns it, with only what a test cares about. */
export function planDocument(planId: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...planHead(planId),
    schema: "stockshift.plan/1",
    stores: [],
    transfers: [],
    fulfilment: [],
    warehouse_orders: [],
    warnings: [],
    clusters: [],
    summary: null,
    elbow: null,
    ...extra,
  };
}

type Row = Record<string, unknown>;

/** GET /plans/{id}/summary for these lines: status, parameters, and lines per status. */
export function planTotals(planId: number, lines: readonly Row[], extra: Record<string, unknown> = {}): Row {
  const group = (keep: (l: Row) => boolean) => {
    const mine = lines.filter(keep);
    return { lines: mine.length, units: mine.reduce((a, l) => a + Number(l.quantity), 0), unit_km: 0 };
  };
  const statuses = ["proposed", "dispatched", "received", "cancelled"];
  return {
    ...planHead(planId),
    summary: null,
    lines: group(() => true),
    scopes: Object.fromEntries(["intra-cluster", "cross-cluster"].map((s) => [s, group((l) => l.scope === s)])),
    statuses: Object.fromEntries(statuses.map((s) => [s, group((l) => l.status === s)])),
    warehouse: {},
    ...extra,
  };
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  const sa = String(a ?? "");
  const sb = String(b ?? "");
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/**
 * The plan pages as the service answers them, over rows in memory: the filters (`q` in the
 * product, either store or their names; the order fields for orders), `field`/`-field` sorts with
 * ties in plan order, and a cursor that is the offset of the next page.
 */
function pageOf(rows: readonly Row[], url: URL, textFields: (r: Row) => unknown[]): [number, unknown] {
  const p = url.searchParams;
  const q = p.get("q")?.toLowerCase() ?? null;
  const direction = p.get("direction");
  const store = p.get("store_id");
  const picked = rows.filter((r) => {
    for (const f of ["product_id", "scope", "status", "reason"]) {
      const want = p.get(f);
      if (want !== null && r[f] !== want) return false;
    }
    if (store !== null) {
      const ends =
        direction === "in" ? [r.to_store] : direction === "out" ? [r.from_store] : [r.from_store, r.to_store];
      if (r.store_id !== undefined ? r.store_id !== store : !ends.includes(store)) return false;
    }
    return q === null || textFields(r).some((v) => typeof v === "string" && v.toLowerCase().includes(q));
  });
  const sort = p.get("sort") ?? "seq";
  const field = sort.replace(/^-/, "");
  const sorted = field === "seq" ? [...picked] : [...picked].sort((a, b) => compare(a[field], b[field]));
  if (sort.startsWith("-")) sorted.reverse();
  const limit = Number(p.get("limit") ?? 100);
  const offset = Number(p.get("cursor") ?? 0);
  const items = sorted.slice(offset, offset + limit);
  const next = offset + limit < sorted.length ? String(offset + limit) : null;
  return [200, { items, total: sorted.length, limit, sort, next_cursor: next }];
}

/** Handlers for a plan's transfer and order pages, and its store flows, over rows in memory. */
export function planPages(
  planId: number,
  lines: readonly Row[],
  orders: readonly Row[] = [],
  names: Record<string, string> = {},
): Record<string, Handler> {
  const base = `/api/v1/plans/${planId}`;
  const lineText = (r: Row) => [
    r.product_id,
    r.from_store,
    r.to_store,
    names[String(r.from_store)],
    names[String(r.to_store)],
  ];
  return {
    [`GET ${base}/transfers`]: (request) => pageOf(lines, new URL(request.url), lineText),
    [`GET ${base}/warehouse-orders`]: (request) =>
      pageOf(orders, new URL(request.url), (r) => [r.product_id, r.store_id, r.reason]),
    [`GET ${base}/flows`]: (request) => {
      const url = new URL(request.url);
      url.searchParams.set("limit", "1000000");
      url.searchParams.delete("cursor");
      const [, page] = pageOf(lines, url, lineText);
      const pairs = new Map<string, Row>();
      for (const l of (page as { items: Row[] }).items) {
        const key = `${l.from_store}>${l.to_store}`;
        const f = pairs.get(key) ?? { origin: l.from_store, destination: l.to_store, lines: 0, units: 0 };
        f.lines = Number(f.lines) + 1;
        f.units = Number(f.units) + Number(l.quantity);
        pairs.set(key, f);
      }
      return [200, { plan_id: planId, level: "store", total: pairs.size, limit: 5000, flows: [...pairs.values()] }];
    },
  };
}

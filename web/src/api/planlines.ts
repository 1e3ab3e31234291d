/**
 * A plan read in parts (GET /api/v1/plans/{id}/transfers, /warehouse-orders, /summary): the
 * service filters, sorts and pages a plan's lines, so a table of 50,000 lines asks only for what
 * it shows. Pages are keyset-paged: each names the cursor of the next, null on the last.
 */
import { type ApiClient, unwrap } from "./client";
import type { components, operations } from "./schema";
import type { Scope, Transfer, TransferStatus } from "./types";

type LineParams = NonNullable<operations["listPlanTransfers"]["parameters"]["query"]>;
type OrderParams = NonNullable<operations["listPlanWarehouseOrders"]["parameters"]["query"]>;
export type LineSort = NonNullable<LineParams["sort"]>;
export type OrderSort = NonNullable<OrderParams["sort"]>;
/** A warehouse order with its id, as the order pages carry it. */
export type OrderLine = components["schemas"]["PlanOrder"];
export type PlanTotals = operations["getPlanSummary"]["responses"][200]["content"]["application/json"];

/** Which lines, in which order; null: no such filter. */
export interface LineQuery {
  product_id: string | null;
  store_id: string | null;
  direction: "in" | "out" | null;
  scope: Scope | null;
  status: TransferStatus | null;
  /** Text found in the product or either store's id or name, any case. */
  q: string | null;
  sort: LineSort;
}

export interface OrderQuery {
  product_id: string | null;
  store_id: string | null;
  /** Text found in the product, the store or the reason, any case. */
  q: string | null;
  sort: OrderSort;
}

export const ALL_LINES: LineQuery = {
  product_id: null,
  store_id: null,
  direction: null,
  scope: null,
  status: null,
  q: null,
  sort: "seq",
};

export interface CursorPage<T> {
  items: T[];
  total: number;
  next_cursor: string | null;
}

/** Rows a table asks for at a time: a few screens, so scrolling rarely waits. */
export const TABLE_PAGE = 200;
/** Rows per request when every matching row is wanted (a CSV): the service's largest page. */
export const BULK_PAGE = 5_000;

/** The query without its empty filters (the service reads a missing parameter as "any"). */
function present<T extends object>(query: T): { [K in keyof T]?: NonNullable<T[K]> } {
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v !== null && v !== "")) as {
    [K in keyof T]?: NonNullable<T[K]>;
  };
}

export async function fetchLinePage(
  api: ApiClient,
  planId: string,
  query: LineQuery,
  cursor: string | null,
  limit = TABLE_PAGE,
): Promise<CursorPage<Transfer>> {
  return unwrap(
    api.GET("/api/v1/plans/{plan_id}/transfers", {
      params: {
        path: { plan_id: Number(planId) },
        query: { ...present(query), limit, ...(cursor === null ? {} : { cursor }) },
      },
    }),
  );
}

export async function fetchOrderPage(
  api: ApiClient,
  planId: string,
  query: OrderQuery,
  cursor: string | null,
  limit = TABLE_PAGE,
): Promise<CursorPage<OrderLine>> {
  return unwrap(
    api.GET("/api/v1/plans/{plan_id}/warehouse-orders", {
      params: {
        path: { plan_id: Number(planId) },
        query: { ...present(query), limit, ...(cursor === null ? {} : { cursor }) },
      },
    }),
  );
}

/** Every matching row, page after page (for a download of all the lines a filter matches). */
export async function everyRow<T>(fetchPage: (cursor: string | null) => Promise<CursorPage<T>>): Promise<T[]> {
  const rows: T[] = [];
  let cursor: string | null = null;
  do {
    const page: CursorPage<T> = await fetchPage(cursor);
    rows.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor !== null);
  return rows;
}

/** The plan's status, settings, summary and its lines counted per scope and status: no lines. */
export async function fetchPlanTotals(api: ApiClient, planId: string): Promise<PlanTotals> {
  return unwrap(api.GET("/api/v1/plans/{plan_id}/summary", { params: { path: { plan_id: Number(planId) } } }));
}

export interface Destination {
  store_id: string;
  lines: number;
  units: number;
}

/** Where the matching lines go, with their lines and units per destination store (GET .../flows). */
export async function fetchDestinations(api: ApiClient, planId: string, query: LineQuery): Promise<Destination[]> {
  const { sort: _sort, ...filters } = query;
  const body = await unwrap(
    api.GET("/api/v1/plans/{plan_id}/flows", {
      params: { path: { plan_id: Number(planId) }, query: { ...present(filters), level: "store", limit: 50_000 } },
    }),
  );
  const out = new Map<string, Destination>();
  for (const f of body.flows) {
    const d = out.get(f.destination) ?? { store_id: f.destination, lines: 0, units: 0 };
    d.lines += f.lines;
    d.units += f.units;
    out.set(f.destination, d);
  }
  return [...out.values()].sort((a, b) => (a.store_id < b.store_id ? -1 : a.store_id > b.store_id ? 1 : 0));
}

/**
 * Every call the dashboard makes, through the client generated from the service's OpenAPI
 * document (./client.ts); each returns the dashboard's own types. Listings are paged by the
 * service (at most 10,000 rows a page), so `allPages` follows them to the end.
 */
import { type ApiClient, unwrap } from "./client";
import type { components, operations } from "./schema";
import { toCluster, toInsight, toPlan, toPlanListItem, toStore } from "./normalise";
import type {
  AppConfig,
  ClusterInfo,
  Elbow,
  ForecastSettings,
  Me,
  Plan,
  PlanListItem,
  PlanParameters,
  StockRow,
  Store,
  StoreProductInsight,
} from "./types";

const PAGE = 10_000;

type PlanCreateBody = components["schemas"]["PlanCreate"];

interface Page<T> {
  items: T[];
  total: number;
}

/** Fetch page after page until `total` rows have arrived (or a page comes back short). */
export async function allPages<T>(fetchPage: (offset: number, limit: number) => Promise<Page<T>>): Promise<T[]> {
  const rows: T[] = [];
  for (;;) {
    const page = await fetchPage(rows.length, PAGE);
    rows.push(...page.items);
    if (page.items.length < PAGE || rows.length >= page.total) return rows;
  }
}

export async function fetchMe(api: ApiClient): Promise<Me> {
  const me = await unwrap(api.GET("/api/v1/me"));
  return { role: me.role, name: me.name || null };
}

export async function fetchConfig(api: ApiClient): Promise<AppConfig> {
  return unwrap(api.GET("/api/v1/config"));
}

export async function fetchStores(api: ApiClient): Promise<Store[]> {
  const rows = await allPages((offset, limit) =>
    unwrap(api.GET("/api/v1/stores", { params: { query: { offset, limit } } })),
  );
  return rows.map(toStore);
}

export async function fetchStock(api: ApiClient, productId: string): Promise<StockRow[]> {
  return allPages((offset, limit) =>
    unwrap(api.GET("/api/v1/inventory", { params: { query: { product_id: productId, offset, limit } } })),
  );
}

/** One store's stock summed over its products (for the map's hover card). */
export async function fetchStoreStock(
  api: ApiClient,
  storeId: string,
): Promise<{ on_hand: number; in_transit: number; products: number }> {
  const rows = await allPages((offset, limit) =>
    unwrap(api.GET("/api/v1/inventory", { params: { query: { store_id: storeId, offset, limit } } })),
  );
  return {
    on_hand: rows.reduce((a, r) => a + r.on_hand, 0),
    in_transit: rows.reduce((a, r) => a + r.in_transit, 0),
    products: rows.length,
  };
}

/** The chain's units on hand and in transit: executing and receiving move units between them, never change the sum. */
export async function fetchTotals(api: ApiClient): Promise<{ on_hand: number; in_transit: number; total: number }> {
  return unwrap(api.GET("/api/v1/inventory/totals"));
}

export async function fetchPlans(api: ApiClient): Promise<PlanListItem[]> {
  const page = await unwrap(api.GET("/api/v1/plans", { params: { query: { limit: 50 } } }));
  return page.items.map(toPlanListItem);
}

export async function fetchPlan(api: ApiClient, planId: string): Promise<Plan> {
  return toPlan(await unwrap(api.GET("/api/v1/plans/{plan_id}", { params: { path: { plan_id: Number(planId) } } })));
}

export async function createPlan(api: ApiClient, params: PlanParameters): Promise<string> {
  // The generated type marks every field with a default as required; the settings left out
  // take the service's defaults.
  const body = { ...params, seed: 0 } as PlanCreateBody;
  const created = await unwrap(api.POST("/api/v1/plans", { body }));
  return String(created.plan_id);
}

export async function executePlan(api: ApiClient, planId: string): Promise<{ lines: number; units: number }> {
  return unwrap(api.POST("/api/v1/plans/{plan_id}/execute", { params: { path: { plan_id: Number(planId) } } }));
}

export async function receiveTransfer(api: ApiClient, transferId: number): Promise<void> {
  await unwrap(api.POST("/api/v1/transfers/{transfer_id}/receive", { params: { path: { transfer_id: transferId } } }));
}

export interface Received {
  lines: number;
  units: number;
  store_ids: string[];
}

/** Receive many lines in one request, all or nothing (409 naming the lines not in transit). */
export async function receiveTransfers(api: ApiClient, transferIds: readonly number[]): Promise<Received> {
  return unwrap(api.POST("/api/v1/transfers/receive", { body: { transfer_ids: [...transferIds] } }));
}

/** Cancel a dispatched line: its units go back on hand at the source. */
export async function cancelTransfer(api: ApiClient, transferId: number): Promise<void> {
  await unwrap(api.POST("/api/v1/transfers/{transfer_id}/cancel", { params: { path: { transfer_id: transferId } } }));
}

export async function fetchClusters(api: ApiClient): Promise<{ clusters: ClusterInfo[]; elbow: Elbow | null }> {
  const body = await unwrap(api.GET("/api/v1/clusters"));
  return { clusters: body.clusters.map(toCluster), elbow: body.elbow };
}

type HistoryQuery = NonNullable<operations["getHistory"]["parameters"]["query"]>;

/** One store and product's sales and forecast; with `settings`, forecast as the plan on screen did. */
export async function fetchInsight(
  api: ApiClient,
  storeId: string,
  productId: string,
  settings: ForecastSettings | null = null,
): Promise<StoreProductInsight> {
  const query: HistoryQuery = settings
    ? {
        method: settings.method,
        window: settings.window,
        cover_days: settings.cover_days,
        service_level: settings.service_level,
      }
    : {};
  const body = await unwrap(
    api.GET("/api/v1/stores/{store_id}/products/{product_id}/history", {
      params: { path: { store_id: storeId, product_id: productId }, query },
    }),
  );
  const insight = toInsight(body);
  const chosen = body.forecast?.chosen_method;
  const interval = body.forecast?.interval;
  // Forecast auto: the model the service chose for this series and its demand interval.
  return chosen && interval ? { ...insight, method: chosen, chosen: true, interval } : insight;
}

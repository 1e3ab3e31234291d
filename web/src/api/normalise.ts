/** Response bodies (generated types) mapped onto the dashboard's types: string ids, explicit nulls. */
import type { components } from "./schema";
import type {
  ClusterInfo,
  ForecastKind,
  ForecastSettings,
  Plan,
  PlanListItem,
  Store,
  StoreProductInsight,
} from "./types";

type Schemas = components["schemas"];

export function toStore(raw: Schemas["StorePublic"] | Schemas["PlanStore"]): Store {
  return { store_id: raw.store_id, name: raw.name, lat: raw.lat, lon: raw.lon, cluster: raw.cluster ?? "none" };
}

export function toCluster(raw: Schemas["PlanCluster"] | Schemas["ClusterPublic"]): ClusterInfo {
  return { cluster: raw.cluster, store_ids: raw.store_ids, centroid: raw.centroid, radius_km: raw.radius_km };
}

const FORECASTS: readonly string[] = ["moving-average", "linear-regression", "auto"] satisfies ForecastKind[];

/** The forecast settings a plan was made with (its parameters), when it forecast at all. */
export function forecastSettings(parameters: Record<string, unknown>): ForecastSettings | null {
  const { forecast, window, cover_days, service_level } = parameters;
  if (typeof forecast !== "string" || !FORECASTS.includes(forecast)) return null;
  if (typeof window !== "number" || typeof cover_days !== "number") return null;
  return {
    method: forecast as ForecastKind,
    window,
    cover_days,
    service_level: typeof service_level === "number" ? service_level : null,
  };
}

export function toPlan(raw: Schemas["PlanDocument"]): Plan {
  return {
    plan_id: String(raw.plan_id),
    status: raw.status,
    error: raw.error,
    progress: raw.progress,
    created_at: raw.created_at,
    target:
      raw.parameters.target === "cluster-mean" || raw.parameters.target === "forecast" ? raw.parameters.target : null,
    policy: typeof raw.parameters.policy === "string" ? raw.parameters.policy : null,
    forecast: forecastSettings(raw.parameters),
    stores: raw.stores.map(toStore),
    summary: raw.summary,
    clusters: raw.clusters.map(toCluster),
    transfers: raw.transfers,
    warehouse_orders: raw.warehouse_orders,
    elbow: raw.elbow,
  };
}

export function toPlanListItem(raw: Schemas["PlanPublic"]): PlanListItem {
  return { plan_id: String(raw.plan_id), status: raw.status, created_at: raw.created_at, summary: raw.summary };
}

export function toInsight(raw: Schemas["HistoryPublic"]): StoreProductInsight {
  const f = raw.forecast;
  return {
    history: raw.history,
    forecast: f ? f.daily : [],
    rate: f ? f.rate_per_day : null,
    target: f ? f.target : null,
    on_hand: raw.on_hand,
  };
}

/** Response bodies (generated types) mapped onto the dashboard's types: string ids, explicit nulls. */
import type { components } from "./schema";
import type { ClusterInfo, Plan, PlanListItem, Store, StoreProductInsight } from "./types";

type Schemas = components["schemas"];

export function toStore(raw: Schemas["StorePublic"] | Schemas["PlanStore"]): Store {
  return { store_id: raw.store_id, name: raw.name, lat: raw.lat, lon: raw.lon, cluster: raw.cluster ?? "none" };
}

export function toCluster(raw: Schemas["PlanCluster"] | Schemas["ClusterPublic"]): ClusterInfo {
  return { cluster: raw.cluster, store_ids: raw.store_ids, centroid: raw.centroid, radius_km: raw.radius_km };
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

/** Response bodies (generated types) mapped onto the dashboard's types: string ids, explicit nulls. */
import type { PlanTotals } from "./planlines";
import type { components } from "./schema";
import type {
  ClusterInfo,
  ForecastKind,
  ForecastSettings,
  Plan,
  PlanHeader,
  PlanListItem,
  PlanTarget,
  Store,
  StoreProductInsight,
} from "./types";
import { targetKey } from "./types";

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

/** The fields a plan document and a plan's summary share: its header. */
type PlanHead = Pick<PlanTotals, "plan_id" | "status" | "error" | "progress" | "created_at" | "parameters" | "summary">;

export function toPlanHeader(raw: PlanHead): PlanHeader {
  return {
    plan_id: String(raw.plan_id),
    status: raw.status,
    error: raw.error,
    progress: raw.progress,
    created_at: raw.created_at,
    policy: typeof raw.parameters.policy === "string" ? raw.parameters.policy : null,
    summary: raw.summary,
    parameters: raw.parameters,
  };
}

export function toPlan(raw: Schemas["PlanDocument"]): Plan {
  return {
    ...toPlanHeader(raw),
    target:
      raw.parameters.target === "cluster-mean" || raw.parameters.target === "forecast" ? raw.parameters.target : null,
    forecast: forecastSettings(raw.parameters),
    targets: toTargets((raw as { targets?: unknown }).targets),
    stores: raw.stores.map(toStore),
    clusters: raw.clusters.map(toCluster),
    transfers: raw.transfers,
    warehouse_orders: raw.warehouse_orders,
    elbow: raw.elbow,
  };
}

export function toPlanListItem(raw: Schemas["PlanPublic"]): PlanListItem {
  return {
    plan_id: String(raw.plan_id),
    status: raw.status,
    created_at: raw.created_at,
    summary: raw.summary,
    parameters: raw.parameters,
  };
}

export function toInsight(raw: Schemas["HistoryPublic"]): StoreProductInsight {
  const f = raw.forecast;
  return {
    history: raw.history,
    forecast: f ? f.daily : [],
    rate: f ? f.rate_per_day : null,
    target: f ? f.target : null,
    on_hand: raw.on_hand,
    method: f ? f.method : null,
    chosen: false,
    interval: null,
  };
}

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** Forecast auto's rows of the plan document (`targets`, an extra key of SPEC section 5), by store and product. */
export function toTargets(raw: unknown): ReadonlyMap<string, PlanTarget> | null {
  if (!Array.isArray(raw)) return null;
  const out = new Map<string, PlanTarget>();
  for (const row of raw as Record<string, unknown>[]) {
    const rate = num(row.rate_per_day);
    const sigma = num(row.sigma);
    const target = num(row.target);
    if (typeof row.store_id !== "string" || typeof row.product_id !== "string") continue;
    if (typeof row.method !== "string" || rate === null || sigma === null || target === null) continue;
    out.set(targetKey(row.store_id, row.product_id), { method: row.method, rate_per_day: rate, sigma, target });
  }
  return out;
}

/** The chart's interval: the central 80 % of the demand, mean ± z·σ with z = Φ⁻¹(0.9). */
export const INTERVAL_LEVEL = 0.8;
const INTERVAL_Z = 1.2815515655446004;

/**
 * The chart's forecast as the plan made it: the chosen model's daily rate over the cover days,
 * its target, and the central interval of the cover days' demand, mean ± z·σ (low clipped at 0).
 */
export function withPlanTarget(insight: StoreProductInsight, t: PlanTarget, coverDays: number): StoreProductInsight {
  const mean = t.rate_per_day * coverDays;
  const z = INTERVAL_Z;
  return {
    ...insight,
    forecast: insight.forecast.map((p) => ({ date: p.date, units: t.rate_per_day })),
    rate: t.rate_per_day,
    target: t.target,
    method: t.method,
    chosen: true,
    interval: { level: INTERVAL_LEVEL, low: Math.max(0, mean - z * t.sigma), high: mean + z * t.sigma },
  };
}

/**
 * The shapes the dashboard works with, derived from the service's generated OpenAPI types
 * (./schema.d.ts) so that a change on the service side fails the type check here. Ids become
 * strings on the way in (plan ids are integers in the API), optional fields become explicit nulls.
 */
import type { components } from "./schema";

type Schemas = components["schemas"];

export type Role = Schemas["MePublic"]["role"];
export type Scope = Schemas["PlanLine"]["scope"];
export type TransferStatus = Schemas["PlanLine"]["status"];
export type PlanStatus = Schemas["PlanPublic"]["status"];
export type Policy = Schemas["PlanCreate"]["policy"];
export type ForecastKind = Schemas["PlanCreate"]["forecast"];
/** The expected-benefit policy's settings (SPEC section 9). */
type PolicySettingKey =
  | "warehouse_lead_days"
  | "review_days"
  | "transfer_lead_days"
  | "sale_value"
  | "cost_per_unit_km"
  | "cost_per_line"
  | "min_benefit";
/** The policy, and those of its settings the planner gave; the service's defaults apply to the rest. */
export type PolicySettings = Pick<Schemas["PlanCreate"], "policy"> &
  Partial<Pick<Schemas["PlanCreate"], PolicySettingKey>>;
export type PlanParameters = Omit<Schemas["PlanCreate"], "seed" | "policy" | PolicySettingKey> & PolicySettings;
export type PlanSummary = Schemas["PlanSummary"];
export type Elbow = Schemas["Elbow"];
export type WarehouseOrder = Schemas["PlanWarehouseOrder"];
export type AppConfig = Schemas["ConfigPublic"];

export interface Store {
  store_id: string;
  name: string;
  lat: number;
  lon: number;
  cluster: string;
}

export type StockRow = Schemas["StockPublic"];

export interface ClusterInfo {
  cluster: string;
  store_ids: string[];
  centroid: { lat: number; lon: number };
  radius_km: number | null;
}

export interface Transfer {
  transfer_id: number | null;
  product_id: string;
  from_store: string;
  to_store: string;
  quantity: number;
  distance_km: number;
  scope: Scope;
  status: TransferStatus;
  /** Expected extra units sold thanks to this line (expected-benefit plans only, SPEC section 9). */
  expected_gain?: number | null;
}

export interface Plan {
  plan_id: string;
  status: PlanStatus;
  error: string | null;
  /** The service's words for how far a running plan has got. */
  progress: string | null;
  created_at: string | null;
  /** The target the plan used (SPEC section 3), resolved by the service. */
  target: "cluster-mean" | "forecast" | null;
  /** The planner that made it (SPEC section 9); null for plans made before policies existed. */
  policy: string | null;
  /** How the plan forecast demand, for the Insight tab to chart the same forecast; null: defaults. */
  forecast: ForecastSettings | null;
  /** Every setting the plan was made with, as the service recorded them (see plan/settings.ts). */
  parameters: Readonly<Record<string, unknown>>;
  /** Forecast auto: per store and product (key `targetKey`), the model chosen and its forecast. */
  targets: ReadonlyMap<string, PlanTarget> | null;
  /** The stores as the plan saw them, with the cluster it assigned. */
  stores: Store[];
  summary: PlanSummary | null;
  clusters: ClusterInfo[];
  transfers: Transfer[];
  warehouse_orders: WarehouseOrder[];
  elbow: Elbow | null;
}

export interface PlanListItem {
  plan_id: string;
  status: PlanStatus;
  created_at: string | null;
  summary: PlanSummary | null;
  parameters: Readonly<Record<string, unknown>>;
}

export interface ForecastSettings {
  method: ForecastKind;
  window: number;
  cover_days: number;
  service_level: number | null;
}

/** One store and product's forecast as a plan made it with forecast auto (its `targets` rows). */
export interface PlanTarget {
  /** The model chosen for this series on rolling origins of its own history. */
  method: string;
  rate_per_day: number;
  /** Standard deviation of the demand over the cover days (its mean is rate_per_day × cover days). */
  sigma: number;
  target: number;
}

export function targetKey(storeId: string, productId: string): string {
  return `${storeId}\u0000${productId}`;
}

/** A central interval of the demand over the cover days. */
export interface DemandInterval {
  level: number;
  low: number;
  high: number;
}

export interface SalesPoint {
  date: string;
  units: number;
}

export interface StoreProductInsight {
  history: SalesPoint[];
  forecast: SalesPoint[];
  rate: number | null;
  target: number | null;
  on_hand: number | null;
  /** The forecast's method: the plan's choice, else the one asked for. */
  method: string | null;
  /** True when the method was chosen for this series (forecast auto). */
  chosen: boolean;
  /** The interval of the cover days' demand, when the forecast has a spread. */
  interval: DemandInterval | null;
}

export interface Me {
  role: Role;
  name: string | null;
}

/** What a backtest replays (SPEC section 10) on the data in the service's database. */
export interface BacktestParameters {
  /** First day replayed (ISO date); null: the service picks the last `weeks` weeks of the sales history. */
  start: string | null;
  weeks: number;
  policies: string[];
  review_days: number;
  warehouse_lead_days: number;
  transfer_lead_days: number;
  forecast: ForecastKind;
  window: number;
  cover_days: number;
  service_level: number | null;
  clusters: string;
  max_distance_km: number | null;
  pack_size: number;
  min_transfer_units: number;
  /** Expected-benefit's economics, when the planner gave them; the service's defaults otherwise. */
  sale_value?: number;
  cost_per_unit_km?: number;
  cost_per_line?: number;
  min_benefit?: number;
}

export type BacktestWeek = Schemas["BacktestWeek"];
/** One policy's figures over the whole replay, and week by week (the stockshift.backtest/1 file). */
export type BacktestPolicyResult = Schemas["BacktestPolicyResult"];

export interface Backtest {
  backtest_id: string;
  status: "running" | "completed" | "failed";
  /** How far a running backtest has got: the policy being replayed and its day. */
  progress: Schemas["BacktestProgress"] | null;
  /** Share done over all policies, 0 to 1, when the order of the policies is known. */
  fraction: number | null;
  error: string | null;
  /** The parameters as the service resolved them (start date filled in). */
  parameters: Partial<BacktestParameters> & Record<string, unknown>;
  policies: BacktestPolicyResult[];
}

/** What the plan's header shows (GET /plans/{id}/summary): no lines. */
export type PlanHeader = Pick<
  Plan,
  "plan_id" | "status" | "error" | "progress" | "created_at" | "policy" | "summary" | "parameters"
>;

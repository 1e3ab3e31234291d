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
export type PlanParameters = Omit<Schemas["PlanCreate"], "seed">;
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
}

export interface Me {
  role: Role;
  name: string | null;
}

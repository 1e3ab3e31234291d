/** Small factories for component tests: one transfer line or store with only what a test cares about. */
import type { Plan, PlanListItem, Store, Transfer } from "../api/types";

export function transferLine(
  id: number | null,
  product: string,
  from: string,
  to: string,
  quantity: number,
  extra: Partial<Transfer> = {},
): Transfer {
  return {
    transfer_id: id,
    product_id: product,
    from_store: from,
    to_store: to,
    quantity,
    distance_km: quantity / 10,
    scope: "intra-cluster",
    status: "proposed",
    ...extra,
  };
}

export function store(id: string, lat: number, lon: number, cluster = "0"): Store {
  return { store_id: id, name: `Store ${id}`, lat, lon, cluster };
}

/** A plan document as the dashboard holds it: completed, no lines, unless the test says more. */
export function planDoc(extra: Partial<Plan> = {}): Plan {
  return {
    plan_id: "4",
    status: "completed",
    error: null,
    progress: null,
    created_at: "2026-11-25T10:00:00Z",
    target: "cluster-mean",
    policy: "greedy",
    forecast: null,
    targets: null,
    parameters: { policy: "greedy", target: "cluster-mean" },
    stores: [],
    summary: null,
    clusters: [],
    transfers: [],
    warehouse_orders: [],
    elbow: null,
    ...extra,
  };
}

/** A plan as the plan picker lists it. */
export function planItem(
  id: string,
  parameters: Record<string, unknown>,
  status: Plan["status"] = "completed",
): PlanListItem {
  return { plan_id: id, status, created_at: null, summary: null, parameters };
}

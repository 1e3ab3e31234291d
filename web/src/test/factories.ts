/** Small factories for component tests: one transfer line or store with only what a test cares about. */
import type { Store, Transfer } from "../api/types";

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

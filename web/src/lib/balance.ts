/**
 * Stock balance of each store for one product: surplus, deficit or balanced, with magnitude.
 * The reference is the store's target when the service supplies one, otherwise the mean on-hand
 * stock of the store's cluster among the stores that carry the product (SPEC section 3's
 * cluster-mean target), so the map can colour stores before any plan has run.
 */
import type { StockRow, Store } from "../api/types";

export type BalanceKind = "surplus" | "deficit" | "balanced";

export interface StoreBalance {
  store_id: string;
  kind: BalanceKind;
  magnitude: number;
  on_hand: number;
  in_transit: number;
  target: number;
}

export function storeBalances(
  stores: readonly Store[],
  stock: readonly StockRow[],
  targets?: ReadonlyMap<string, number>,
): Map<string, StoreBalance> {
  const clusterOf = new Map(stores.map((s) => [s.store_id, s.cluster]));
  const sums = new Map<string, { total: number; count: number }>();
  for (const row of stock) {
    const cluster = clusterOf.get(row.store_id);
    if (cluster === undefined) continue;
    const acc = sums.get(cluster) ?? { total: 0, count: 0 };
    acc.total += row.on_hand;
    acc.count += 1;
    sums.set(cluster, acc);
  }
  const result = new Map<string, StoreBalance>();
  for (const row of stock) {
    const cluster = clusterOf.get(row.store_id);
    if (cluster === undefined) continue;
    const acc = sums.get(cluster);
    const target = targets?.get(row.store_id) ?? (acc && acc.count > 0 ? acc.total / acc.count : row.on_hand);
    const surplus = Math.max(Math.floor(row.on_hand - target), 0);
    const need = Math.max(Math.floor(target - row.on_hand), 0);
    const kind: BalanceKind = surplus > 0 ? "surplus" : need > 0 ? "deficit" : "balanced";
    result.set(row.store_id, {
      store_id: row.store_id,
      kind,
      magnitude: surplus > 0 ? surplus : need,
      on_hand: row.on_hand,
      in_transit: row.in_transit,
      target,
    });
  }
  return result;
}

/**
 * Stock balance of each store for one product: surplus, deficit or balanced, with magnitude.
 *
 * Two bases, named in the legend so the planner knows which one is shown:
 * - `cluster-mean`: the store's on-hand stock against the mean of its cluster's stores that
 *   carry the product (SPEC section 3's cluster-mean target), from the current stock, so it
 *   works before any plan and follows stock as it moves;
 * - `plan`: what the plan on screen did with the product, which holds for any target (a
 *   forecast target needs sales the page does not load): a store's need is what it receives
 *   plus what it orders from the warehouse (every unit of need ends in one of the two), and a
 *   source's surplus is at least what it sends.
 */
import type { StockRow, Store, Transfer, WarehouseOrder } from "../api/types";

export type BalanceKind = "surplus" | "deficit" | "balanced";
export type BalanceBasis = "cluster-mean" | "plan";

export interface StoreBalance {
  store_id: string;
  kind: BalanceKind;
  magnitude: number;
  on_hand: number;
  in_transit: number;
  /** The target stock, when the basis has one (cluster-mean). */
  target: number | null;
}

function classify(surplus: number, need: number): { kind: BalanceKind; magnitude: number } {
  if (surplus > 0) return { kind: "surplus", magnitude: surplus };
  if (need > 0) return { kind: "deficit", magnitude: need };
  return { kind: "balanced", magnitude: 0 };
}

/** SPEC section 3: target = cluster mean; surplus = floor(on_hand − target)⁺, need = floor(target − on_hand)⁺. */
export function clusterMeanBalances(stores: readonly Store[], stock: readonly StockRow[]): Map<string, StoreBalance> {
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
    const acc = sums.get(clusterOf.get(row.store_id) ?? "");
    if (!acc) continue;
    const target = acc.total / acc.count;
    const surplus = Math.max(Math.floor(row.on_hand - target), 0);
    const need = Math.max(Math.floor(target - row.on_hand), 0);
    result.set(row.store_id, {
      store_id: row.store_id,
      ...classify(surplus, need),
      on_hand: row.on_hand,
      in_transit: row.in_transit,
      target,
    });
  }
  return result;
}

/** The plan's view of one product: senders in surplus, receivers and warehouse orders in deficit. */
export function planBalances(
  stock: readonly StockRow[],
  transfers: readonly Transfer[],
  orders: readonly WarehouseOrder[],
): Map<string, StoreBalance> {
  const sent = new Map<string, number>();
  const need = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, q: number) => m.set(k, (m.get(k) ?? 0) + q);
  for (const t of transfers) {
    add(sent, t.from_store, t.quantity);
    add(need, t.to_store, t.quantity);
  }
  for (const o of orders) add(need, o.store_id, o.quantity);
  const result = new Map<string, StoreBalance>();
  for (const row of stock) {
    const b = classify(sent.get(row.store_id) ?? 0, need.get(row.store_id) ?? 0);
    result.set(row.store_id, {
      store_id: row.store_id,
      ...b,
      on_hand: row.on_hand,
      in_transit: row.in_transit,
      target: null,
    });
  }
  return result;
}

/** Transfer lines resolved to map positions (the selected line is drawn from these). */
import type { Store, Transfer } from "../api/types";
import type { LatLon } from "../lib/geometry";

export interface Route {
  key: string;
  transfer: Transfer;
  from: LatLon;
  to: LatLon;
}

/** A stable key for a transfer line: its id once stored, else its position in the plan. */
export function routeKey(transfer: Transfer, index: number): string {
  return transfer.transfer_id !== null ? `t${transfer.transfer_id}` : `i${index}`;
}

/** Lines whose two stores are known, with their end points; lines to unknown stores are left out. */
export function resolveRoutes(transfers: readonly Transfer[], stores: readonly Store[]): Route[] {
  const at = new Map(stores.map((s) => [s.store_id, [s.lat, s.lon] as LatLon]));
  const routes: Route[] = [];
  transfers.forEach((transfer, index) => {
    const from = at.get(transfer.from_store);
    const to = at.get(transfer.to_store);
    if (from && to) routes.push({ key: routeKey(transfer, index), transfer, from, to });
  });
  return routes;
}

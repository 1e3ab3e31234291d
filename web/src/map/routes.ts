/** Transfer lines resolved to map positions, and grouped by store pair for drawing. */
import type { Scope, Store, Transfer } from "../api/types";
import type { LatLon } from "../lib/geometry";

export interface Route {
  key: string;
  transfer: Transfer;
  from: LatLon;
  to: LatLon;
}

/**
 * All lines from one store to another (several products travel the same road): drawn as one
 * line whose width is their total, so that a plan of thousands of lines stays legible.
 */
export interface RouteGroup {
  key: string;
  from: LatLon;
  to: LatLon;
  scope: Scope;
  quantity: number;
  routes: Route[];
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

/** Group lines by (source, destination), largest first within a group. Scope is a property of the pair. */
export function groupRoutes(routes: readonly Route[]): RouteGroup[] {
  const groups = new Map<string, RouteGroup>();
  for (const route of routes) {
    const key = `${route.transfer.from_store}\u2192${route.transfer.to_store}`;
    let group = groups.get(key);
    if (!group) {
      group = { key, from: route.from, to: route.to, scope: route.transfer.scope, quantity: 0, routes: [] };
      groups.set(key, group);
    }
    group.quantity += route.transfer.quantity;
    group.routes.push(route);
  }
  for (const g of groups.values()) g.routes.sort((a, b) => b.transfer.quantity - a.transfer.quantity);
  return [...groups.values()];
}

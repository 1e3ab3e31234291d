/** Per cluster: stores, radius, units sent and received by this plan, and what goes to the warehouse. */
import { useMemo } from "react";
import type { ClusterInfo, Store, Transfer, WarehouseOrder } from "../api/types";
import { fmtDecimal, fmtInt } from "../lib/format";
import { clusterColour } from "../lib/palette";

interface Props {
  stores: readonly Store[];
  clusters: readonly ClusterInfo[];
  clusterLabels: readonly string[];
  transfers: readonly Transfer[];
  orders: readonly WarehouseOrder[];
}

export interface ClusterRow {
  cluster: string;
  stores: number;
  radius_km: number | null;
  sent: number;
  received: number;
  cross_in: number;
  warehouse: number;
}

export function summariseClusters(
  stores: readonly Store[],
  clusters: readonly ClusterInfo[],
  clusterLabels: readonly string[],
  transfers: readonly Transfer[],
  orders: readonly WarehouseOrder[],
): ClusterRow[] {
  const clusterOf = new Map(stores.map((s) => [s.store_id, s.cluster]));
  const radius = new Map(clusters.map((c) => [c.cluster, c.radius_km ?? null]));
  const rows = new Map<string, ClusterRow>(
    clusterLabels.map((c) => [
      c,
      { cluster: c, stores: 0, radius_km: radius.get(c) ?? null, sent: 0, received: 0, cross_in: 0, warehouse: 0 },
    ]),
  );
  for (const s of stores) {
    const row = rows.get(s.cluster);
    if (row) row.stores += 1;
  }
  for (const t of transfers) {
    const from = rows.get(clusterOf.get(t.from_store) ?? "");
    const to = rows.get(clusterOf.get(t.to_store) ?? "");
    if (from) from.sent += t.quantity;
    if (to) {
      to.received += t.quantity;
      if (t.scope === "cross-cluster") to.cross_in += t.quantity;
    }
  }
  for (const o of orders) {
    const row = rows.get(clusterOf.get(o.store_id) ?? "");
    if (row) row.warehouse += o.quantity;
  }
  return [...rows.values()];
}

export function ClusterSummary(props: Props) {
  const rows = useMemo(
    () => summariseClusters(props.stores, props.clusters, props.clusterLabels, props.transfers, props.orders),
    [props.stores, props.clusters, props.clusterLabels, props.transfers, props.orders],
  );
  if (rows.length === 0) return <p className="empty">No clusters yet.</p>;
  return (
    <table className="data" aria-label="Cluster summary">
      <thead>
        <tr>
          <th scope="col">Cluster</th>
          <th scope="col" className="num">
            Stores
          </th>
          <th scope="col" className="num">
            Radius (km)
          </th>
          <th scope="col" className="num">
            Units sent
          </th>
          <th scope="col" className="num">
            Units received
          </th>
          <th scope="col" className="num">
            of which cross-cluster
          </th>
          <th scope="col" className="num">
            Warehouse units
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.cluster}>
            <td>
              <span className="swatch dot" style={{ background: clusterColour(r.cluster, props.clusterLabels) }} />{" "}
              {r.cluster}
            </td>
            <td className="num">{fmtInt(r.stores)}</td>
            <td className="num">{r.radius_km === null ? "–" : fmtDecimal(r.radius_km)}</td>
            <td className="num">{fmtInt(r.sent)}</td>
            <td className="num">{fmtInt(r.received)}</td>
            <td className="num">{fmtInt(r.cross_in)}</td>
            <td className="num">{fmtInt(r.warehouse)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

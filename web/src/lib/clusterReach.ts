/**
 * How far each cluster reaches: its radius (centroid to farthest store) and its longest
 * intra-cluster line. A cluster meant as one region whose "intra-cluster" lines cross half a
 * continent (1,141 km in the demo chain) is flagged once those lines run past a set distance
 * (the service's STOCKSHIFT_INTRA_CLUSTER_WARN_KM).
 */
import type { ClusterInfo, Store, Transfer } from "../api/types";

export interface ClusterReach {
  cluster: string;
  radiusKm: number | null;
  /** The longest intra-cluster line of the plan, 0 when it has none. */
  longestKm: number;
  /** Intra-cluster lines longer than the warning distance. */
  longLines: number;
}

export function clusterReach(
  clusters: readonly ClusterInfo[],
  stores: readonly Store[],
  transfers: readonly Transfer[],
  warnKm: number,
): ClusterReach[] {
  const clusterOf = new Map(stores.map((s) => [s.store_id, s.cluster]));
  const reach = new Map<string, ClusterReach>(
    clusters.map((c) => [c.cluster, { cluster: c.cluster, radiusKm: c.radius_km, longestKm: 0, longLines: 0 }]),
  );
  for (const t of transfers) {
    if (t.scope !== "intra-cluster") continue;
    const r = reach.get(clusterOf.get(t.from_store) ?? "");
    if (!r) continue;
    r.longestKm = Math.max(r.longestKm, t.distance_km);
    if (t.distance_km > warnKm) r.longLines += 1;
  }
  return [...reach.values()];
}

/** The clusters whose intra-cluster lines run past the warning distance, longest first. */
export function overreaching(reach: readonly ClusterReach[]): ClusterReach[] {
  return reach.filter((r) => r.longLines > 0).sort((a, b) => b.longestKm - a.longestKm);
}

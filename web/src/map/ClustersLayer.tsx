/** Each cluster as a translucent hull around its stores, or a ring when its stores span no area. */
import { useMemo } from "react";
import { Circle, Polygon, Tooltip } from "react-leaflet";
import type { ClusterInfo, Store } from "../api/types";
import { type LatLon, clusterHull, haversineKm } from "../lib/geometry";
import { clusterColour } from "../lib/palette";

interface Props {
  stores: readonly Store[];
  clusters: readonly ClusterInfo[];
  clusterLabels: readonly string[];
}

type Outline =
  | { kind: "hull"; cluster: string; positions: LatLon[]; count: number }
  | { kind: "ring"; cluster: string; centre: LatLon; radiusM: number; count: number };

/** Rings are at least 2 km wide so a one-store cluster is still visible around its marker. */
const MIN_RING_M = 2000;

export function ClustersLayer({ stores, clusters, clusterLabels }: Props) {
  const outlines = useMemo<Outline[]>(() => {
    const byCluster = new Map<string, LatLon[]>();
    for (const s of stores) {
      const list = byCluster.get(s.cluster) ?? [];
      list.push([s.lat, s.lon]);
      byCluster.set(s.cluster, list);
    }
    const centroids = new Map(clusters.map((c) => [c.cluster, [c.centroid.lat, c.centroid.lon] as LatLon]));
    const result: Outline[] = [];
    for (const [cluster, points] of byCluster) {
      const hull = clusterHull(points);
      if (hull) {
        result.push({ kind: "hull", cluster, positions: hull, count: points.length });
        continue;
      }
      const centre =
        centroids.get(cluster) ??
        ([points.reduce((a, p) => a + p[0], 0) / points.length, points.reduce((a, p) => a + p[1], 0) / points.length] as LatLon);
      const radiusKm = Math.max(...points.map((p) => haversineKm(centre, p)));
      result.push({ kind: "ring", cluster, centre, radiusM: Math.max(radiusKm * 1000 * 1.15, MIN_RING_M), count: points.length });
    }
    return result;
  }, [stores, clusters]);

  return (
    <>
      {outlines.map((o) => {
        const colour = clusterColour(o.cluster, clusterLabels);
        const style = { color: colour, weight: 1.5, fillColor: colour, fillOpacity: 0.08, dashArray: "4 4" };
        const label = (
          <Tooltip sticky>
            Cluster {o.cluster}: {o.count} store{o.count === 1 ? "" : "s"}
          </Tooltip>
        );
        return o.kind === "hull" ? (
          <Polygon key={o.cluster} positions={o.positions} pathOptions={style}>
            {label}
          </Polygon>
        ) : (
          <Circle key={o.cluster} center={o.centre} radius={o.radiusM} pathOptions={style}>
            {label}
          </Circle>
        );
      })}
    </>
  );
}

/**
 * Each cluster as a translucent hull around its stores. A cluster that is small on screen (a
 * city's stores seen at country scale, or fewer than three stores) is drawn as a ring of at
 * least 16 px around its centroid instead, so every cluster stays visible at every zoom.
 * Hovering a cluster (anywhere but on a store, which has a tooltip of its own) names it, its
 * stores and radius in a tooltip above every layer; the pointer is followed here (see clusterHit).
 */
import L from "leaflet";
import { useEffect, useMemo, useRef, useState } from "react";
import { CircleMarker, Polygon, useMap, useMapEvents } from "react-leaflet";
import type { ClusterInfo, Store } from "../api/types";
import { type LatLon, clusterHull, haversineKm } from "../lib/geometry";
import { clusterColour } from "../lib/palette";
import { type ScreenShape, clusterAt } from "./clusterHit";
import { TOOLTIP_PANE } from "./panes";

interface Props {
  stores: readonly Store[];
  clusters: readonly ClusterInfo[];
  clusterLabels: readonly string[];
}

interface Shape {
  cluster: string;
  count: number;
  centre: LatLon;
  radiusKm: number;
  hull: LatLon[] | null;
}

/** Below this radius on screen a hull is unreadable and a ring is drawn. */
const MIN_HULL_PX = 24;
const MIN_RING_PX = 16;

/** What a cluster's tooltip says. */
export function clusterLabel(shape: Pick<Shape, "cluster" | "count" | "radiusKm">): string {
  const stores = `${shape.count} store${shape.count === 1 ? "" : "s"}`;
  return `Cluster ${shape.cluster}: ${stores}, radius ${shape.radiusKm.toFixed(1)} km`;
}

/** Whether the pointer is on a store (the stores' canvas marks itself interactive under one). */
function onStore(e: L.LeafletMouseEvent): boolean {
  const target = e.originalEvent.target;
  return target instanceof Element && target.classList.contains("leaflet-interactive");
}

/** Screen pixels per km at a latitude and zoom (Web Mercator, 256 px tiles). */
export function pixelsPerKm(lat: number, zoom: number): number {
  const metresPerPixel = (40_075_016.686 * Math.cos((lat * Math.PI) / 180)) / 2 ** (zoom + 8);
  return 1000 / metresPerPixel;
}

export function ClustersLayer({ stores, clusters, clusterLabels }: Props) {
  const map = useMap();
  const [zoom, setZoom] = useState(() => map.getZoom());
  useMapEvents({ zoomend: () => setZoom(map.getZoom()) });

  const shapes = useMemo<Shape[]>(() => {
    const byCluster = new Map<string, LatLon[]>();
    for (const s of stores) {
      const list = byCluster.get(s.cluster) ?? [];
      list.push([s.lat, s.lon]);
      byCluster.set(s.cluster, list);
    }
    const centroids = new Map(clusters.map((c) => [c.cluster, [c.centroid.lat, c.centroid.lon] as LatLon]));
    return [...byCluster].map(([cluster, points]) => {
      const centre =
        centroids.get(cluster) ??
        ([
          points.reduce((a, p) => a + p[0], 0) / points.length,
          points.reduce((a, p) => a + p[1], 0) / points.length,
        ] as LatLon);
      const radiusKm = Math.max(...points.map((p) => haversineKm(centre, p)));
      return { cluster, count: points.length, centre, radiusKm, hull: clusterHull(points) };
    });
  }, [stores, clusters]);

  const drawn = shapes.map((shape) => {
    const radiusPx = shape.radiusKm * pixelsPerKm(shape.centre[0], zoom);
    return {
      shape,
      hull: shape.hull && radiusPx >= MIN_HULL_PX ? shape.hull : null,
      ring: Math.max(radiusPx + 8, MIN_RING_PX),
    };
  });

  const tip = useMemo(() => L.tooltip({ pane: TOOLTIP_PANE, direction: "top", offset: [0, -10] }), []);
  useEffect(() => () => void tip.remove(), [tip]);
  // A store's tooltip, while one is open: the pointer is on that store, not on its cluster.
  const storeTip = useRef<L.Tooltip | null>(null);
  useMapEvents({
    mousemove(e) {
      if (storeTip.current !== null || onStore(e)) {
        tip.remove();
        return;
      }
      const screen: ScreenShape[] = drawn.map(({ shape, hull, ring }) =>
        hull
          ? { corners: hull.map((p) => map.latLngToContainerPoint(p)) }
          : { centre: map.latLngToContainerPoint(shape.centre), radius: ring },
      );
      const hit = drawn[clusterAt(e.containerPoint, screen)];
      if (!hit) {
        tip.remove();
        return;
      }
      tip.setLatLng(e.latlng).setContent(clusterLabel(hit.shape));
      if (!map.hasLayer(tip)) map.openTooltip(tip);
    },
    mouseout: () => void tip.remove(),
    tooltipopen(e) {
      if (e.tooltip === tip || e.tooltip.options.permanent) return;
      storeTip.current = e.tooltip;
      tip.remove();
    },
    tooltipclose(e) {
      if (e.tooltip === storeTip.current) storeTip.current = null;
    },
  });

  return (
    <>
      {drawn.map(({ shape, hull, ring }) => {
        const colour = clusterColour(shape.cluster, clusterLabels);
        const style = { color: colour, weight: 2, fillColor: colour, fillOpacity: 0.1, dashArray: "5 4" };
        return hull ? (
          <Polygon key={shape.cluster} positions={hull} pathOptions={style} interactive={false} />
        ) : (
          <CircleMarker
            key={shape.cluster}
            center={shape.centre}
            radius={ring}
            pathOptions={style}
            interactive={false}
          />
        );
      })}
    </>
  );
}

/** Map geometry that is pure arithmetic: arrow heads, route widths, cluster outlines. */
import { polygonHull } from "d3-polygon";

export interface Point {
  x: number;
  y: number;
}

export type LatLon = [number, number];

/**
 * The three corners of an arrow head on the segment from `a` to `b`, in screen pixels:
 * its tip sits at fraction `at` of the way along and points towards `b`; `size` is its length
 * and its half-width is 0.6·size. Segments shorter than the head get a head half their length.
 */
export function arrowHead(a: Point, b: Point, size: number, at = 0.6): [Point, Point, Point] {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const length = Math.hypot(dx, dy);
  const tip = { x: a.x + dx * at, y: a.y + dy * at };
  if (length === 0) return [tip, tip, tip];
  const ux = dx / length;
  const uy = dy / length;
  const len = Math.min(size, length / 2);
  const half = len * 0.6;
  const base = { x: tip.x - ux * len, y: tip.y - uy * len };
  return [tip, { x: base.x - uy * half, y: base.y + ux * half }, { x: base.x + uy * half, y: base.y - ux * half }];
}

/**
 * Line width in pixels for a transfer of `quantity` units when the largest line of the plan
 * moves `maxQuantity`: 2 px to 9 px on a square-root scale, so that area tracks quantity.
 */
export function routeWeight(quantity: number, maxQuantity: number): number {
  if (maxQuantity <= 0) return 2;
  return 2 + 7 * Math.sqrt(Math.max(quantity, 0) / maxQuantity);
}

/** Marker radius in pixels for a surplus or need of `magnitude` units (4 px to 16 px, square-root scale). */
export function balanceRadius(magnitude: number, maxMagnitude: number): number {
  if (maxMagnitude <= 0 || magnitude <= 0) return 4;
  return 4 + 12 * Math.sqrt(magnitude / maxMagnitude);
}

/**
 * The convex hull of a cluster's stores as [lat, lon] corners, or null when the stores do not
 * span an area (fewer than three, or all on one line): such clusters are drawn as rings instead.
 */
export function clusterHull(points: readonly LatLon[]): LatLon[] | null {
  if (points.length < 3) return null;
  const hull = polygonHull(points.map(([lat, lon]) => [lon, lat] as [number, number]));
  if (!hull || hull.length < 3) return null;
  return hull.map(([lon, lat]) => [lat, lon]);
}

/** Great-circle distance in km (Haversine, SPEC section 2's Earth radius), for ring radii. */
export function haversineKm(a: LatLon, b: LatLon): number {
  const r = 6371.0088;
  const rad = Math.PI / 180;
  const dLat = (b[0] - a[0]) * rad;
  const dLon = (b[1] - a[1]) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[0] * rad) * Math.cos(b[0] * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * r * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** South-west and north-east corners enclosing all points, or null for none. */
export function boundsOf(points: readonly LatLon[]): [LatLon, LatLon] | null {
  if (points.length === 0) return null;
  let s = Infinity;
  let w = Infinity;
  let n = -Infinity;
  let e = -Infinity;
  for (const [lat, lon] of points) {
    s = Math.min(s, lat);
    n = Math.max(n, lat);
    w = Math.min(w, lon);
    e = Math.max(e, lon);
  }
  return [
    [s, w],
    [n, e],
  ];
}

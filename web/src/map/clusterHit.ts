/**
 * Which cluster the pointer is over, found in screen pixels: the clusters' canvas lies under the
 * flows' and the stores' canvases, which take every pointer event, so Leaflet never tells it.
 */
import type { Point } from "../lib/geometry";

/** A cluster as drawn: a hull's corners, or a ring's centre and radius (pixels). */
export type ScreenShape = { corners: readonly Point[] } | { centre: Point; radius: number };

/** Whether `p` lies inside the polygon `corners` (even-odd rule). */
export function insidePolygon(p: Point, corners: readonly Point[]): boolean {
  let inside = false;
  for (let i = 0, j = corners.length - 1; i < corners.length; j = i++) {
    const a = corners[i];
    const b = corners[j];
    if (!a || !b) continue;
    if (a.y > p.y !== b.y > p.y && p.x < ((b.x - a.x) * (p.y - a.y)) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

function area(shape: ScreenShape): number {
  if ("radius" in shape) return Math.PI * shape.radius * shape.radius;
  let twice = 0;
  const c = shape.corners;
  for (let i = 0, j = c.length - 1; i < c.length; j = i++) {
    const a = c[i];
    const b = c[j];
    if (a && b) twice += (b.x + a.x) * (b.y - a.y);
  }
  return Math.abs(twice) / 2;
}

/** The index of the smallest shape holding `p` (a cluster drawn inside another stays reachable), or -1. */
export function clusterAt(p: Point, shapes: readonly ScreenShape[]): number {
  let best = -1;
  let bestArea = Infinity;
  shapes.forEach((s, i) => {
    const hit =
      "radius" in s ? Math.hypot(p.x - s.centre.x, p.y - s.centre.y) <= s.radius : insidePolygon(p, s.corners);
    if (!hit) return;
    const a = area(s);
    if (a < bestArea) {
      best = i;
      bestArea = a;
    }
  });
  return best;
}

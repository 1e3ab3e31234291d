/**
 * Which city names the offline basemap shows: those whose label fits at the zoom (each city
 * carries the first zoom at which it clears the larger places' labels, see
 * web/scripts/derive_cities.py) and that lie in the view, widened by a margin so a short pan
 * does not leave the edges bare. The cities come most populous first; at most `limit` are kept.
 */
import type { City } from "./basemap";

export interface View {
  south: number;
  west: number;
  north: number;
  east: number;
}

/** Most labels drawn at once: enough for a full-screen map at any zoom, few enough to stay cheap. */
export const LABEL_LIMIT = 400;

function inside(lon: number, west: number, east: number): boolean {
  // A view that crosses the antimeridian has west > east once normalised.
  return west <= east ? lon >= west && lon <= east : lon >= west || lon <= east;
}

/** Longitude into [-180, 180). */
function wrap(lon: number): number {
  return ((((lon + 180) % 360) + 360) % 360) - 180;
}

export function visibleCities(cities: readonly City[], zoom: number, view: View, limit = LABEL_LIMIT): City[] {
  const latPad = (view.north - view.south) * 0.2;
  const lonPad = (view.east - view.west) * 0.2;
  const south = view.south - latPad;
  const north = view.north + latPad;
  const everyLon = view.east - view.west + 2 * lonPad >= 360;
  const west = wrap(view.west - lonPad);
  const east = wrap(view.east + lonPad);
  const out: City[] = [];
  for (const c of cities) {
    if (c[3] > Math.floor(zoom) || c[1] < south || c[1] > north) continue;
    if (!everyLon && !inside(c[2], west, east)) continue;
    out.push(c);
    if (out.length >= limit) break;
  }
  return out;
}

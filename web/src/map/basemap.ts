/**
 * The offline basemap: country outlines from Natural Earth (world-atlas, 1:110m at country
 * scale, 1:50m for the countries in view zoomed in), US state
 * borders (us-atlas, public-domain Census data), lakes (Natural Earth 1:50m) and city names
 * (GeoNames' places of 15,000 people or more, CC BY 4.0, each with the zoom from which its label
 * fits among the larger places' labels), all bundled, loaded in their own chunk on first use so
 * the main bundle stays small. The lakes and cities are small files derived once from registry
 * packages: web/scripts/derive-lakes.mjs and web/scripts/derive_cities.py say how.
 */
import type { Feature, FeatureCollection, MultiLineString } from "geojson";
import { feature, mesh } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";

/** A city of the basemap: name, latitude, longitude, and the first zoom at which it is named. */
export type City = [name: string, lat: number, lon: number, minZoom: number];

export interface Basemap {
  /** Country outlines at 1:110m, for the whole world at country scale. */
  countries: FeatureCollection;
  /** At 1:50m, each with its bounding box, for the countries in view zoomed in. */
  detailed: BoxedFeature[];
  regions: MultiLineString;
  lakes: FeatureCollection;
  cities: City[];
}

let cached: Promise<Basemap> | null = null;

export function loadBasemap(): Promise<Basemap> {
  cached ??= Promise.all([
    import("world-atlas/countries-110m.json"),
    import("world-atlas/countries-50m.json"),
    import("us-atlas/states-10m.json"),
    import("./data/lakes-50m.json"),
    import("./data/cities.json"),
  ]).then(([coarse, world, us, lakes, cities]) => {
    const coarseTopo = coarse.default as unknown as Topology<{ countries: GeometryCollection }>;
    const worldTopo = world.default as unknown as Topology<{ countries: GeometryCollection }>;
    const usTopo = us.default as unknown as Topology<{ states: GeometryCollection }>;
    return {
      countries: feature(coarseTopo, coarseTopo.objects.countries) as FeatureCollection,
      detailed: (feature(worldTopo, worldTopo.objects.countries) as FeatureCollection).features.map(boxed),
      regions: mesh(usTopo, usTopo.objects.states, (a, b) => a !== b),
      lakes: lakes.default as unknown as FeatureCollection,
      cities: cities.default as unknown as City[],
    };
  });
  return cached;
}

/** From this zoom on, the 1:50m outlines of the countries in view replace the 1:110m world. */
export const DETAIL_ZOOM = 6;

/** A country's outline with its bounding box: [west, south, east, north]. */
export interface BoxedFeature {
  feature: Feature;
  box: [number, number, number, number];
}

function boxed(f: Feature): BoxedFeature {
  let [w, s, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
  const walk = (c: unknown): void => {
    if (!Array.isArray(c)) return;
    if (typeof c[0] === "number") {
      const [lon, lat] = c as [number, number];
      w = Math.min(w, lon);
      e = Math.max(e, lon);
      s = Math.min(s, lat);
      n = Math.max(n, lat);
    } else for (const x of c) walk(x);
  };
  if (f.geometry && "coordinates" in f.geometry) walk(f.geometry.coordinates);
  return { feature: f, box: [w, s, e, n] };
}

/**
 * The outlines to draw: the 1:110m world at country scale; zoomed in, the 1:50m outlines of the
 * countries whose box meets the view (a zoom or a fit projects every point drawn again, and the
 * whole world at 1:50m is 80,000 of them). `key` changes exactly when the outlines do.
 */
export function countriesInView(
  basemap: Pick<Basemap, "countries" | "detailed">,
  zoom: number,
  view: { south: number; west: number; north: number; east: number },
): { key: string; outlines: FeatureCollection } {
  if (zoom < DETAIL_ZOOM) return { key: "world", outlines: basemap.countries };
  const shown = basemap.detailed.filter(
    ({ box: [w, s, e, n] }) => w <= view.east && e >= view.west && s <= view.north && n >= view.south,
  );
  const key = shown.map((b) => b.feature.id ?? b.feature.properties?.name ?? "").join(",");
  return { key: `detail:${key}`, outlines: { type: "FeatureCollection", features: shown.map((b) => b.feature) } };
}

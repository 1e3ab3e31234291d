/**
 * The offline basemap: country outlines from Natural Earth (world-atlas, 1:50m), US state
 * borders (us-atlas, public-domain Census data), lakes (Natural Earth 1:50m) and city names
 * (GeoNames' places of 15,000 people or more, CC BY 4.0, each with the zoom from which its label
 * fits among the larger places' labels), all bundled, loaded in their own chunk on first use so
 * the main bundle stays small. The lakes and cities are small files derived once from registry
 * packages: web/scripts/derive-lakes.mjs and web/scripts/derive_cities.py say how.
 */
import type { FeatureCollection, MultiLineString } from "geojson";
import { feature, mesh } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";

/** A city of the basemap: name, latitude, longitude, and the first zoom at which it is named. */
export type City = [name: string, lat: number, lon: number, minZoom: number];

export interface Basemap {
  countries: FeatureCollection;
  regions: MultiLineString;
  lakes: FeatureCollection;
  cities: City[];
}

let cached: Promise<Basemap> | null = null;

export function loadBasemap(): Promise<Basemap> {
  cached ??= Promise.all([
    import("world-atlas/countries-50m.json"),
    import("us-atlas/states-10m.json"),
    import("./data/lakes-50m.json"),
    import("./data/cities.json"),
  ]).then(([world, us, lakes, cities]) => {
    const worldTopo = world.default as unknown as Topology<{ countries: GeometryCollection }>;
    const usTopo = us.default as unknown as Topology<{ states: GeometryCollection }>;
    return {
      countries: feature(worldTopo, worldTopo.objects.countries) as FeatureCollection,
      regions: mesh(usTopo, usTopo.objects.states, (a, b) => a !== b),
      lakes: lakes.default as unknown as FeatureCollection,
      cities: cities.default as unknown as City[],
    };
  });
  return cached;
}

/**
 * The offline basemap: country outlines from Natural Earth (world-atlas, 1:50m) and US state
 * borders (us-atlas, public-domain Census data), both bundled, loaded in their own chunk on
 * first use so the main bundle stays small.
 */
import type { FeatureCollection, MultiLineString } from "geojson";
import { feature, mesh } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";

export interface Basemap {
  countries: FeatureCollection;
  regions: MultiLineString;
}

let cached: Promise<Basemap> | null = null;

export function loadBasemap(): Promise<Basemap> {
  cached ??= Promise.all([import("world-atlas/countries-50m.json"), import("us-atlas/states-10m.json")]).then(
    ([world, us]) => {
      const worldTopo = world.default as unknown as Topology<{ countries: GeometryCollection }>;
      const usTopo = us.default as unknown as Topology<{ states: GeometryCollection }>;
      return {
        countries: feature(worldTopo, worldTopo.objects.countries) as FeatureCollection,
        regions: mesh(usTopo, usTopo.objects.states, (a, b) => a !== b),
      };
    },
  );
  return cached;
}

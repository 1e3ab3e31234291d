/**
 * The offline basemap drawn as GeoJSON when no tile server answers: country and US state
 * outlines, lakes, and city names. The names sit in a pane of their own under the layer panes
 * (they must never hide a store) and take no clicks.
 */
import { useEffect, useState } from "react";
import { CircleMarker, GeoJSON, Pane, Tooltip } from "react-leaflet";
import { type Basemap, loadBasemap } from "./basemap";

const COUNTRY_STYLE = { color: "#8c8c8c", weight: 1, fillColor: "#f3f1ea", fillOpacity: 1, interactive: false };
const REGION_STYLE = { color: "#b5b5b5", weight: 0.7, dashArray: "3 3", interactive: false };
const LAKE_STYLE = { color: "#9cc3dc", weight: 0.6, fillColor: "#cfe3ef", fillOpacity: 1, interactive: false };
/** Under the clusters pane (410): names and dots are ground, not data. */
const LABELS_Z = 405;

export function BasemapLayer() {
  const [basemap, setBasemap] = useState<Basemap | null>(null);
  useEffect(() => {
    let live = true;
    void loadBasemap().then((b) => {
      if (live) setBasemap(b);
    });
    return () => {
      live = false;
    };
  }, []);
  if (!basemap) return null;
  return (
    <>
      <GeoJSON
        data={basemap.countries}
        style={() => COUNTRY_STYLE}
        interactive={false}
        attribution="Offline basemap: Natural Earth, US Census Bureau"
      />
      <GeoJSON data={basemap.lakes} style={() => LAKE_STYLE} interactive={false} />
      <GeoJSON data={basemap.regions} style={() => REGION_STYLE} interactive={false} />
      <Pane name="basemap-labels" style={{ zIndex: LABELS_Z, pointerEvents: "none" }}>
        {basemap.cities.map(([name, lat, lon]) => (
          <CircleMarker
            key={`${name}@${lat},${lon}`}
            center={[lat, lon]}
            radius={2}
            interactive={false}
            pathOptions={{ color: "#6b6b6b", weight: 1, fillColor: "#6b6b6b", fillOpacity: 1 }}
          >
            <Tooltip permanent direction="right" offset={[3, 0]} className="city-label" pane="basemap-labels">
              {name}
            </Tooltip>
          </CircleMarker>
        ))}
      </Pane>
    </>
  );
}

/** Country and region outlines drawn as GeoJSON: the map's ground when no tile server answers. */
import { useEffect, useState } from "react";
import { GeoJSON } from "react-leaflet";
import { type Basemap, loadBasemap } from "./basemap";

const COUNTRY_STYLE = { color: "#8c8c8c", weight: 1, fillColor: "#f3f1ea", fillOpacity: 1, interactive: false };
const REGION_STYLE = { color: "#b5b5b5", weight: 0.7, dashArray: "3 3", interactive: false };

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
      <GeoJSON data={basemap.regions} style={() => REGION_STYLE} interactive={false} />
    </>
  );
}

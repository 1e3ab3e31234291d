/**
 * The offline basemap drawn as GeoJSON when no tile server answers: country and US state
 * outlines, lakes, and city names. The names sit in a pane of their own under the layer panes
 * (they must never hide a store) and take no clicks; only those that fit at the zoom and lie in
 * view are drawn, so zooming in names smaller places without labels piling up.
 */
import { memo, useEffect, useState } from "react";
import { GeoJSON, Pane, useMap, useMapEvents } from "react-leaflet";
import { type Basemap, countriesInView, loadBasemap } from "./basemap";
import { CityLabels } from "./CityLabels";

const COUNTRY_STYLE = { color: "#8c8c8c", weight: 1, fillColor: "#f3f1ea", fillOpacity: 1, interactive: false };
const REGION_STYLE = { color: "#b5b5b5", weight: 0.7, dashArray: "3 3", interactive: false };
const LAKE_STYLE = { color: "#9cc3dc", weight: 0.6, fillColor: "#cfe3ef", fillOpacity: 1, interactive: false };
const COUNTRIES_Z = 390;
/** Under the clusters pane (410): names and dots are ground, not data. */
const LABELS_Z = 405;

/** Drawn once: the map around it re-rendering (a product chosen, a row selected) leaves the ground alone. */
export const BasemapLayer = memo(function BasemapLayer() {
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
      {/* Under the lakes and borders (overlay pane, 400), which stay drawn when the outlines change. */}
      <Pane name="basemap-countries" style={{ zIndex: COUNTRIES_Z }}>
        <Countries basemap={basemap} />
      </Pane>
      <GeoJSON data={basemap.lakes} style={() => LAKE_STYLE} interactive={false} />
      <GeoJSON data={basemap.regions} style={() => REGION_STYLE} interactive={false} />
      <Pane name="basemap-labels" style={{ zIndex: LABELS_Z, pointerEvents: "none" }}>
        <CityLabels cities={basemap.cities} pane="basemap-labels" />
      </Pane>
    </>
  );
});

/** The country outlines for the zoom and view, made again only when they change (see countriesInView). */
function Countries({ basemap }: { basemap: Basemap }) {
  const map = useMap();
  const pick = () => {
    const b = map.getBounds().pad(0.5);
    return countriesInView(basemap, map.getZoom(), {
      south: b.getSouth(),
      west: b.getWest(),
      north: b.getNorth(),
      east: b.getEast(),
    });
  };
  const [shown, setShown] = useState(pick);
  useMapEvents({
    moveend: () => {
      const next = pick();
      setShown((now) => (now.key === next.key ? now : next));
    },
  });
  return (
    <GeoJSON
      key={shown.key}
      data={shown.outlines}
      style={() => COUNTRY_STYLE}
      interactive={false}
      attribution="Offline basemap: Natural Earth, US Census Bureau, GeoNames (CC BY 4.0)"
    />
  );
}

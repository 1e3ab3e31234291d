/**
 * The offline basemap's city names: a dot and the name to its right for each city that fits at
 * the zoom and lies in view (see cityLabels.ts), made again only when the map settles. Plain
 * markers, not tooltips: a tooltip measures itself each time the map moves, and hundreds of them
 * would make every zoom (a product or line chosen fits the map to it) wait on the page's layout.
 */
import L from "leaflet";
import { useEffect, useMemo, useRef, useState } from "react";
import { useMap, useMapEvents } from "react-leaflet";
import type { City } from "./basemap";
import { type View, visibleCities } from "./cityLabels";

function viewOf(map: L.Map): { zoom: number; view: View } {
  const b = map.getBounds();
  return {
    zoom: map.getZoom(),
    view: { south: b.getSouth(), west: b.getWest(), north: b.getNorth(), east: b.getEast() },
  };
}

/** A city's label: its name in a box whose dot (CSS) sits on the city. */
function labelIcon(name: string): L.DivIcon {
  const text = document.createElement("span");
  text.textContent = name;
  // No size: the box is as wide as the name; the anchor puts the dot's centre on the city.
  return L.divIcon({
    className: "city-label",
    html: text,
    iconSize: null as unknown as L.PointExpression,
    iconAnchor: [3, 7],
  });
}

export function CityLabels({ cities, pane }: { cities: readonly City[]; pane: string }) {
  const map = useMap();
  const [at, setAt] = useState(() => viewOf(map));
  useMapEvents({ moveend: () => setAt(viewOf(map)) });
  const shown = useMemo(() => visibleCities(cities, at.zoom, at.view), [cities, at]);
  const drawn = useRef(new Map<string, L.Marker>());

  useEffect(() => {
    const keep = new Set<string>();
    for (const [name, lat, lon] of shown) {
      const key = `${name}@${lat},${lon}`;
      keep.add(key);
      if (drawn.current.has(key)) continue;
      const marker = L.marker([lat, lon], { icon: labelIcon(name), pane, interactive: false, keyboard: false });
      drawn.current.set(key, marker.addTo(map));
    }
    for (const [key, marker] of drawn.current) {
      if (keep.has(key)) continue;
      marker.remove();
      drawn.current.delete(key);
    }
  }, [map, shown, pane]);
  useEffect(() => {
    const markers = drawn.current;
    return () => {
      for (const m of markers.values()) m.remove();
      markers.clear();
    };
  }, []);
  return null;
}

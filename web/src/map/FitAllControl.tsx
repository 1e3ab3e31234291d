/**
 * A map button under the zoom buttons that brings every store back into view, whatever the
 * planner zoomed or panned to. It also writes the zoom and centre onto the map's box (`data-zoom`,
 * `data-center`: lat,lon) for the end-to-end tests, which place clicks on the map from them;
 * straight to the DOM, so zooming re-renders nothing.
 */
import L from "leaflet";
import { useEffect, useRef } from "react";
import { useMap, useMapEvents } from "react-leaflet";
import { type LatLon, boundsOf } from "../lib/geometry";

export function FitAllControl({ storePoints }: { storePoints: readonly LatLon[] }) {
  const map = useMap();
  const box = useRef<HTMLDivElement>(null);
  const mark = () => {
    const wrap = map.getContainer().parentElement;
    if (!wrap) return;
    const c = map.getCenter();
    wrap.dataset.zoom = String(map.getZoom());
    wrap.dataset.center = `${c.lat},${c.lng}`;
  };
  useMapEvents({ zoomend: mark, moveend: mark });
  useEffect(() => {
    if (box.current) {
      L.DomEvent.disableClickPropagation(box.current);
      L.DomEvent.disableScrollPropagation(box.current);
    }
  }, []);
  const fitAll = () => {
    const bounds = boundsOf(storePoints);
    if (bounds) map.fitBounds(bounds, { padding: [24, 24] });
  };
  return (
    <div className="leaflet-top leaflet-left fit-all">
      <div ref={box} className="leaflet-control leaflet-bar">
        <button type="button" title="Fit all stores" aria-label="Fit all stores" onClick={fitAll}>
          ⤢
        </button>
      </div>
    </div>
  );
}

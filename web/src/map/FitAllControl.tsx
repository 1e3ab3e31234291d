/**
 * A map button under the zoom buttons that brings every store back into view, whatever the
 * planner zoomed or panned to. It also writes the zoom onto the map's box (`data-zoom`) for the
 * end-to-end tests, straight to the DOM so zooming re-renders nothing.
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
    if (wrap) wrap.dataset.zoom = String(map.getZoom());
  };
  useMapEvents({ zoomend: mark });
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

/** Keeps the view on what matters: all stores when they first arrive, the selected route when one is chosen. */
import { useEffect, useRef } from "react";
import { useMap } from "react-leaflet";
import { type LatLon, boundsOf } from "../lib/geometry";

interface Props {
  storePoints: readonly LatLon[];
  focus: readonly LatLon[] | null;
}

export function FitView({ storePoints, focus }: Props) {
  const map = useMap();
  const fitted = useRef(false);

  useEffect(() => {
    if (fitted.current) return;
    const bounds = boundsOf(storePoints);
    if (!bounds) return;
    map.fitBounds(bounds, { padding: [24, 24] });
    fitted.current = true;
  }, [map, storePoints]);

  useEffect(() => {
    const bounds = focus ? boundsOf(focus) : null;
    if (bounds) map.fitBounds(bounds, { padding: [80, 80], maxZoom: 11 });
  }, [map, focus]);

  return null;
}

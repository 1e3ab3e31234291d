/**
 * Keeps the view on what matters: all stores when they first arrive, then whatever the planner
 * focuses on (a selected line, or a product's flows), once the frame showing the choice is painted. It refits only when the focus changes,
 * not when the same routes are refetched, so a planner's own panning is left alone.
 */
import { useEffect, useRef } from "react";
import { useMap } from "react-leaflet";
import { type LatLon, boundsOf } from "../lib/geometry";

interface Props {
  storePoints: readonly LatLon[];
  focusKey: string | null;
  focus: readonly LatLon[];
}

export function FitView({ storePoints, focusKey, focus }: Props) {
  const map = useMap();
  const fitted = useRef(false);
  const latestFocus = useRef(focus);
  latestFocus.current = focus;

  useEffect(() => {
    if (fitted.current) return;
    const bounds = boundsOf(storePoints);
    if (!bounds) return;
    map.fitBounds(bounds, { padding: [24, 24] });
    fitted.current = true;
  }, [map, storePoints]);

  // After the frame that shows the choice (the row highlighted, the product's flows): a zoom
  // projects every layer again, basemap included, and the planner should not wait for it.
  useEffect(() => {
    const bounds = focusKey === null ? null : boundsOf(latestFocus.current);
    if (!bounds) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => map.fitBounds(bounds, { padding: [60, 60], maxZoom: 11 }), 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [map, focusKey]);

  return null;
}

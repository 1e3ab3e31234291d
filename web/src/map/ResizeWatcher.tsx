/**
 * Tells Leaflet when its box changes size (window resized, side panel or banner shown), so the
 * canvases and the basemap cover the new area at once instead of after the next pan.
 */
import { useEffect } from "react";
import { useMap } from "react-leaflet";

export function ResizeWatcher() {
  const map = useMap();
  useEffect(() => {
    if (typeof ResizeObserver === "undefined") return undefined;
    const observer = new ResizeObserver(() => map.invalidateSize({ pan: false }));
    observer.observe(map.getContainer());
    return () => observer.disconnect();
  }, [map]);
  return null;
}

/**
 * Raster tiles from the configured server. Offline machines fail to load them: after a few
 * tile errors the map reports it, and the caller switches to the bundled outlines.
 */
import { useMemo, useRef } from "react";
import { TileLayer } from "react-leaflet";

const FAILURES_BEFORE_FALLBACK = 3;

interface Props {
  url: string;
  attribution: string;
  onUnavailable: () => void;
}

export function TileBasemap({ url, attribution, onUnavailable }: Props) {
  const failures = useRef(0);
  const handlers = useMemo(
    () => ({
      tileerror: () => {
        failures.current += 1;
        if (failures.current === FAILURES_BEFORE_FALLBACK) onUnavailable();
      },
    }),
    [onUnavailable],
  );
  return <TileLayer url={url} attribution={attribution} eventHandlers={handlers} />;
}

/**
 * Leaflet in jsdom for component tests: jsdom has no 2D canvas, so the canvas renderer gets a
 * context that draws nothing (every method a no-op); layers, panes, tooltips and events are
 * Leaflet's own. `TestMap` hands the map instance to the test.
 */
import L, { type Map as LeafletMap } from "leaflet";
import { type ReactNode, useEffect } from "react";
import { MapContainer, useMap } from "react-leaflet";

const noop = () => undefined;
const drawNothing = new Proxy({} as Record<string | symbol, unknown>, {
  get: (target, key) => (key in target ? target[key] : noop),
  set: (target, key, value) => {
    target[key] = value;
    return true;
  },
});
HTMLCanvasElement.prototype.getContext = (() => drawNothing) as unknown as HTMLCanvasElement["getContext"];

// Under jsdom a frame Leaflet cancelled when a canvas was removed can still run: skip the redraw
// of a canvas that is gone (in a browser the cancel holds).
const canvas = L.Canvas.prototype as unknown as { _redraw: () => void; _ctx?: unknown };
const redraw = canvas._redraw;
canvas._redraw = function (this: typeof canvas) {
  if (this._ctx) redraw.call(this);
};

function Expose({ onMap }: { onMap: (map: LeafletMap) => void }) {
  const map = useMap();
  useEffect(() => {
    onMap(map);
  }, [map, onMap]);
  return null;
}

export function TestMap({
  children,
  onMap = noop,
  zoom = 4,
}: {
  children: ReactNode;
  onMap?: (map: LeafletMap) => void;
  zoom?: number;
}) {
  return (
    <MapContainer preferCanvas center={[40, -90]} zoom={zoom} style={{ width: 800, height: 600 }}>
      {children}
      <Expose onMap={onMap} />
    </MapContainer>
  );
}

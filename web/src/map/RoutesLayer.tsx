/**
 * Transfer routes as lines from source to destination with an arrow head showing direction.
 * Width grows with quantity; intra-cluster lines are solid green, cross-cluster ones dashed
 * purple. The selected route is drawn last, on a dark casing, and the others fade.
 */
import L from "leaflet";
import { useMemo, useState } from "react";
import { Polygon, Polyline, Popup, useMap, useMapEvents } from "react-leaflet";
import { fmtInt, fmtKm } from "../lib/format";
import { type LatLon, arrowHead, routeWeight } from "../lib/geometry";
import { HIGHLIGHT_COLOUR, SCOPE_COLOURS } from "../lib/palette";
import type { Route } from "./routes";

interface Props {
  routes: readonly Route[];
  selectedKey: string | null;
  onSelect: (key: string) => void;
}

interface DrawnRoute {
  route: Route;
  positions: LatLon[];
  head: LatLon[];
  weight: number;
}

export function RoutesLayer({ routes, selectedKey, onSelect }: Props) {
  const map = useMap();
  const [zoom, setZoom] = useState(() => map.getZoom());
  useMapEvents({ zoomend: () => setZoom(map.getZoom()) });

  const maxQuantity = useMemo(() => routes.reduce((m, r) => Math.max(m, r.transfer.quantity), 0), [routes]);

  // Positions depend only on the routes; arrow heads are sized in pixels, so also on the zoom.
  const drawn = useMemo<DrawnRoute[]>(
    () =>
      routes.map((route) => {
        const weight = routeWeight(route.transfer.quantity, maxQuantity);
        const a = map.project(route.from, zoom);
        const b = map.project(route.to, zoom);
        const head = arrowHead(a, b, 7 + weight).map((p) => {
          const ll = map.unproject(L.point(p.x, p.y), zoom);
          return [ll.lat, ll.lng] as LatLon;
        });
        return { route, positions: [route.from, route.to], head, weight };
      }),
    [routes, maxQuantity, map, zoom],
  );

  const selected = drawn.find((d) => d.route.key === selectedKey) ?? null;
  const dim = selected !== null;

  return (
    <>
      {drawn.map((d) => (
        <RouteLine key={d.route.key} drawn={d} faded={dim && d !== selected} onSelect={onSelect} />
      ))}
      {selected && (
        <>
          <Polyline
            positions={selected.positions}
            pathOptions={{ color: "#000000", weight: selected.weight + 6, opacity: 0.9 }}
            interactive={false}
          />
          <RouteLine drawn={selected} faded={false} highlighted onSelect={onSelect} />
        </>
      )}
    </>
  );
}

interface LineProps {
  drawn: DrawnRoute;
  faded: boolean;
  highlighted?: boolean;
  onSelect: (key: string) => void;
}

function RouteLine({ drawn, faded, highlighted = false, onSelect }: LineProps) {
  const t = drawn.route.transfer;
  const colour = highlighted ? HIGHLIGHT_COLOUR : SCOPE_COLOURS[t.scope];
  const opacity = faded ? 0.2 : 0.8;
  const handlers = useMemo(() => ({ click: () => onSelect(drawn.route.key) }), [onSelect, drawn.route.key]);
  return (
    <>
      <Polyline
        positions={drawn.positions}
        pathOptions={{
          color: colour,
          weight: drawn.weight,
          opacity,
          dashArray: t.scope === "cross-cluster" ? "10 6" : undefined,
          lineCap: "butt",
        }}
        eventHandlers={handlers}
      >
        <Popup>
          <strong>
            {t.product_id}: {fmtInt(t.quantity)} unit{t.quantity === 1 ? "" : "s"}
          </strong>
          <br />
          {t.from_store} → {t.to_store}
          <br />
          {fmtKm(t.distance_km)}, {t.scope}
          <br />
          Status: {t.status}
        </Popup>
      </Polyline>
      <Polygon
        positions={drawn.head}
        pathOptions={{ color: colour, weight: 1, fillColor: colour, fillOpacity: opacity, opacity }}
        eventHandlers={handlers}
      />
    </>
  );
}

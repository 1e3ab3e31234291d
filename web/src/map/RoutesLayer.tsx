/**
 * Transfer routes as lines from source to destination with an arrow head showing direction,
 * one line per store pair (all products on that road together). Width grows with the units
 * moved; intra-cluster lines are solid green, cross-cluster ones dashed purple. The route of
 * the selected transfer is drawn last, in yellow on a dark casing, and the others fade.
 */
import L from "leaflet";
import { useMemo, useState } from "react";
import { Polygon, Polyline, Popup, useMap, useMapEvents } from "react-leaflet";
import { fmtDecimal, fmtInt } from "../lib/format";
import { type LatLon, arrowHead, routeWeight } from "../lib/geometry";
import { HIGHLIGHT_COLOUR, SCOPE_COLOURS } from "../lib/palette";
import { type RouteGroup, type Route, groupRoutes } from "./routes";

interface Props {
  routes: readonly Route[];
  selectedKey: string | null;
  onSelect: (key: string) => void;
}

const POPUP_LINES = 8;

export function RoutesLayer({ routes, selectedKey, onSelect }: Props) {
  const map = useMap();
  const [zoom, setZoom] = useState(() => map.getZoom());
  useMapEvents({ zoomend: () => setZoom(map.getZoom()) });

  // Line positions depend on the routes only, so zooming never hands Leaflet new coordinates.
  const groups = useMemo(() => groupRoutes(routes), [routes]);
  const positions = useMemo(() => new Map(groups.map((g) => [g.key, [g.from, g.to]])), [groups]);
  const maxQuantity = useMemo(() => groups.reduce((m, g) => Math.max(m, g.quantity), 0), [groups]);
  // Arrow heads are sized in pixels, so they follow the zoom.
  const heads = useMemo(
    () =>
      new Map(
        groups.map((g) => {
          const weight = routeWeight(g.quantity, maxQuantity);
          const a = map.project(g.from, zoom);
          const b = map.project(g.to, zoom);
          const head = arrowHead(a, b, 7 + weight).map((p) => {
            const ll = map.unproject(L.point(p.x, p.y), zoom);
            return [ll.lat, ll.lng] as LatLon;
          });
          return [g.key, head];
        }),
      ),
    [groups, maxQuantity, map, zoom],
  );

  const selected =
    selectedKey === null ? null : (groups.find((g) => g.routes.some((r) => r.key === selectedKey)) ?? null);

  const line = (g: RouteGroup, faded: boolean, highlighted: boolean) => (
    <RouteLine
      key={highlighted ? `${g.key}-selected` : g.key}
      group={g}
      positions={positions.get(g.key) ?? [g.from, g.to]}
      head={heads.get(g.key) ?? []}
      weight={routeWeight(g.quantity, maxQuantity)}
      faded={faded}
      highlighted={highlighted}
      onSelect={onSelect}
    />
  );

  return (
    <>
      {groups.map((g) => line(g, selected !== null && g !== selected, false))}
      {selected && (
        <>
          <Polyline
            positions={positions.get(selected.key) ?? []}
            pathOptions={{ color: "#000000", weight: routeWeight(selected.quantity, maxQuantity) + 6, opacity: 0.9 }}
            interactive={false}
          />
          {line(selected, false, true)}
        </>
      )}
    </>
  );
}

interface LineProps {
  group: RouteGroup;
  positions: LatLon[];
  head: LatLon[];
  weight: number;
  faded: boolean;
  highlighted: boolean;
  onSelect: (key: string) => void;
}

function RouteLine({ group, positions, head, weight, faded, highlighted, onSelect }: LineProps) {
  const colour = highlighted ? HIGHLIGHT_COLOUR : SCOPE_COLOURS[group.scope];
  const opacity = faded ? 0.2 : 0.8;
  const first = group.routes[0];
  const handlers = useMemo(() => ({ click: () => first && onSelect(first.key) }), [onSelect, first]);
  const t = first?.transfer;
  if (!t) return null;
  return (
    <>
      <Polyline
        positions={positions}
        pathOptions={{
          color: colour,
          weight,
          opacity,
          dashArray: group.scope === "cross-cluster" ? "10 6" : undefined,
          lineCap: "butt",
        }}
        eventHandlers={handlers}
      >
        <Popup>
          <strong>
            {t.from_store} → {t.to_store}
          </strong>
          : {fmtInt(group.quantity)} unit{group.quantity === 1 ? "" : "s"}, {fmtDecimal(t.distance_km)} km,{" "}
          {group.scope}
          <table className="popup-lines">
            <tbody>
              {group.routes.slice(0, POPUP_LINES).map((r) => (
                <tr key={r.key}>
                  <td>{r.transfer.product_id}</td>
                  <td className="num">{fmtInt(r.transfer.quantity)}</td>
                  <td>{r.transfer.status}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {group.routes.length > POPUP_LINES && <>and {group.routes.length - POPUP_LINES} more products</>}
        </Popup>
      </Polyline>
      <Polygon
        positions={head}
        pathOptions={{ color: colour, weight: 1, fillColor: colour, fillOpacity: opacity, opacity }}
        eventHandlers={handlers}
      />
    </>
  );
}

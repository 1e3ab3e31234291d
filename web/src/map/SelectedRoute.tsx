/**
 * The transfer line chosen in the table, drawn over the flows: yellow on a dark casing with an
 * arrow head towards its destination, so it stands out whatever the flows around it.
 */
import L from "leaflet";
import { useMemo, useState } from "react";
import { Polygon, Polyline, useMap, useMapEvents } from "react-leaflet";
import { type LatLon, arrowHead } from "../lib/geometry";
import { HIGHLIGHT_COLOUR } from "../lib/palette";
import type { Route } from "./routes";

const WEIGHT = 5;

/**
 * `renderer`: an SVG renderer of the map's (three small paths): the routes pane's canvas would be
 * made, at the map's size, the first time a line is chosen.
 */
export function SelectedRoute({ route, renderer }: { route: Route; renderer?: L.Renderer }) {
  const map = useMap();
  const [zoom, setZoom] = useState(() => map.getZoom());
  useMapEvents({ zoomend: () => setZoom(map.getZoom()) });
  const positions = useMemo<LatLon[]>(() => [route.from, route.to], [route]);
  const head = useMemo(() => {
    const a = map.project(route.from, zoom);
    const b = map.project(route.to, zoom);
    return arrowHead(a, b, 7 + WEIGHT).map((p) => {
      const ll = map.unproject(L.point(p.x, p.y), zoom);
      return [ll.lat, ll.lng] as LatLon;
    });
  }, [map, route, zoom]);
  return (
    <>
      <Polyline
        positions={positions}
        interactive={false}
        renderer={renderer}
        pathOptions={{ color: "#000000", weight: WEIGHT + 6, opacity: 0.9 }}
      />
      <Polyline
        positions={positions}
        interactive={false}
        renderer={renderer}
        pathOptions={{ color: HIGHLIGHT_COLOUR, weight: WEIGHT }}
      />
      <Polygon
        positions={head}
        interactive={false}
        renderer={renderer}
        pathOptions={{ color: HIGHLIGHT_COLOUR, weight: 1, fillColor: HIGHLIGHT_COLOUR, fillOpacity: 1 }}
      />
    </>
  );
}

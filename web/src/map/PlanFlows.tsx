/**
 * Which flows the map shows: the level follows the zoom and the planner's focus (a product or a
 * store narrows the flows to theirs, store to store), fetched from the service already summed,
 * and reported up so the map can say what it is drawing.
 */
import { useEffect, useMemo, useState } from "react";
import { useMap, useMapEvents } from "react-leaflet";
import { useApi } from "../api/context";
import { type FlowLevel, flowLevel, flowsOfRoutes, usePlanFlows } from "./flows";
import type { Route } from "./routes";
import { FlowsLayer } from "./FlowsLayer";

export interface FlowsShown {
  level: FlowLevel;
  drawn: number;
  total: number;
  /** Lines behind the flows when they are the table's filtered lines; else null. */
  lines: number | null;
}

interface Props {
  planId: string | null;
  productId: string | null;
  storeId: string | null;
  /** The lines the transfers table's filter lists, or null when it filters nothing: drawn instead. */
  filtered: readonly Route[] | null;
  clusterOf: ReadonlyMap<string, string>;
  faded: boolean;
  onShown: (shown: FlowsShown | null) => void;
}

export function PlanFlows({ planId, productId, storeId, filtered, clusterOf, faded, onShown }: Props) {
  const api = useApi();
  const map = useMap();
  const [zoom, setZoom] = useState(() => map.getZoom());
  useMapEvents({ zoomend: () => setZoom(map.getZoom()) });
  const focus = { zoom, productId, storeId };
  const level = flowLevel(focus);
  const query = usePlanFlows(api, planId, filtered === null ? level : null, focus);
  const local = useMemo(() => (filtered === null ? null : flowsOfRoutes(filtered)), [filtered]);
  const data = planId === null ? undefined : (local ?? query.data);
  // Shown once the answer for this level has come; until then the previous flows stay drawn.
  const shown = local ?? (data && data.level === level ? data : undefined);

  useEffect(() => {
    if (!shown) onShown(null);
    else
      onShown({ level: shown.level, drawn: shown.flows.length, total: shown.total, lines: filtered?.length ?? null });
  }, [shown, filtered, onShown]);

  if (!data) return null;
  return <FlowsLayer flows={data.flows} level={data.level} clusterOf={clusterOf} faded={faded} />;
}

/**
 * Which flows the map shows: the level follows the zoom and the planner's focus (a product or a
 * store narrows the flows to theirs, store to store; the transfers table's filters narrow them to
 * the lines it lists), fetched from the service already summed, and reported up so the map can
 * say what it is drawing and fit itself to a product's flows.
 */
import { useEffect, useMemo, useState } from "react";
import { useMap, useMapEvents } from "react-leaflet";
import { useApi } from "../api/context";
import type { TableFilter } from "../plan/TransfersTable";
import { type FlowLevel, type FlowView, flowLevel, usePlanFlows } from "./flows";
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
  /** The transfers table's filters when they narrow its lines (null: none): the map draws those lines. */
  filter: TableFilter | null;
  clusterOf: ReadonlyMap<string, string>;
  faded: boolean;
  onShown: (shown: FlowsShown | null) => void;
  /** Told the flows drawn for the product chosen, once they have come (to fit the map to them). */
  onProductFlows?: (view: FlowView) => void;
}

export function PlanFlows(props: Props) {
  const { planId, productId, storeId, filter, clusterOf, faded, onShown, onProductFlows } = props;
  const api = useApi();
  const map = useMap();
  const [zoom, setZoom] = useState(() => map.getZoom());
  useMapEvents({ zoomend: () => setZoom(map.getZoom()) });
  const focus = useMemo(() => ({ zoom, productId, storeId }), [zoom, productId, storeId]);
  const level = filter === null ? flowLevel(focus) : "store";
  const query = usePlanFlows(api, planId, level, focus, filter);
  const data = planId === null ? undefined : query.data;
  // Shown once the answer for this focus has come; until then the previous flows stay drawn.
  const current = data !== undefined && !query.isPlaceholderData && data.level === level;
  const shown = current ? data : undefined;

  useEffect(() => {
    if (!shown) onShown(null);
    else
      onShown({
        level: shown.level,
        drawn: shown.flows.length,
        total: shown.total,
        lines: filter === null ? null : shown.lines,
      });
  }, [shown, filter, onShown]);
  useEffect(() => {
    if (shown && shown.productId !== null && shown.productId === productId) onProductFlows?.(shown);
  }, [shown, productId, onProductFlows]);

  if (!data) return null;
  return <FlowsLayer flows={data.flows} level={data.level} clusterOf={clusterOf} faded={faded} />;
}

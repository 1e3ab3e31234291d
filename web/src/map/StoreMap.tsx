/**
 * The map: a basemap (configured tiles, or the bundled outlines when there are none or they fail),
 * cluster outlines, the plan's flows (summed by the service per pair of clusters or stores), the
 * selected line, warehouse-order rings and store markers, each kind on its own canvas pane so
 * that thousands of stores and tens of thousands of flows pan smoothly.
 */
import L from "leaflet";
import { useCallback, useMemo, useState } from "react";
import { MapContainer, Pane } from "react-leaflet";
import type { ClusterInfo, Store, Transfer, WarehouseOrder } from "../api/types";
import type { BalanceBasis, StoreBalance } from "../lib/balance";
import type { ClusterReach } from "../lib/clusterReach";
import type { LatLon } from "../lib/geometry";
import { BasemapLayer } from "./BasemapLayer";
import { ClustersLayer } from "./ClustersLayer";
import { FitAllControl } from "./FitAllControl";
import { FitView } from "./FitView";
import { ResizeWatcher } from "./ResizeWatcher";
import { MapLegend } from "./MapLegend";
import type { FlowView } from "./flows";
import { resolveRoutes } from "./routes";
import type { TableFilter } from "../plan/TransfersTable";
import { PANE_Z } from "./panes";
import { type FlowsShown, PlanFlows } from "./PlanFlows";
import { SelectedRoute } from "./SelectedRoute";
import { StoresLayer } from "./StoresLayer";
import { TileBasemap } from "./TileBasemap";
import { WarehouseOrdersLayer } from "./WarehouseOrdersLayer";

export interface StoreMapProps {
  stores: readonly Store[];
  clusters: readonly ClusterInfo[];
  clusterLabels: readonly string[];
  /** The plan whose flows are drawn: null while none is ready. */
  planId: string | null;
  /** The transfers table's filters when they narrow its lines (null: none): the map draws those lines. */
  tableFilter: TableFilter | null;
  warehouseOrders: readonly WarehouseOrder[];
  productId: string | null;
  balances: ReadonlyMap<string, StoreBalance> | null;
  balanceBasis: BalanceBasis;
  /** The line chosen in the table (highlighted, and the map fitted to it). */
  selectedLine: Transfer | null;
  selectedStore: string | null;
  onSelectStore: (storeId: string) => void;
  /** Back from one store's flows to the whole plan's. */
  onClearStore: () => void;
  tileUrl: string;
  tileAttribution: string;
  /** Each cluster's radius and longest intra-cluster line, for the legend. */
  reach: readonly ClusterReach[];
  /** Intra-cluster lines longer than this are flagged (km). */
  warnKm: number;
}

export function StoreMap(props: StoreMapProps) {
  const { stores, selectedLine, productId, tileUrl } = props;
  const [tilesFailed, setTilesFailed] = useState(false);
  const [flows, setFlows] = useState<FlowsShown | null>(null);
  const clusterOf = useMemo(() => new Map(stores.map((s) => [s.store_id, s.cluster])), [stores]);
  const selected = useMemo(
    () => (selectedLine === null ? null : (resolveRoutes([selectedLine], stores)[0] ?? null)),
    [selectedLine, stores],
  );
  const onTilesUnavailable = useCallback(() => setTilesFailed(true), []);
  const highlight = useMemo(() => L.svg({ pane: "routes" }), []);
  const storePoints = useMemo(() => stores.map((s) => [s.lat, s.lon] as LatLon), [stores]);
  // A product's extent comes from its flows (the service's), once they have come.
  const [productFlows, setProductFlows] = useState<FlowView | null>(null);
  const focus = useMemo(() => {
    if (selected) return { key: `route:${selected.key}`, points: [selected.from, selected.to] };
    if (productId !== null && productFlows?.productId === productId && productFlows.flows.length > 0) {
      const points = productFlows.flows.flatMap((f): LatLon[] => [
        [f.origin_lat, f.origin_lon],
        [f.destination_lat, f.destination_lon],
      ]);
      return { key: `product:${productId}`, points };
    }
    return { key: null, points: [] };
  }, [selected, productId, productFlows]);
  const useTiles = tileUrl !== "" && !tilesFailed;

  return (
    <div
      className="map-wrap"
      role="region"
      aria-label="Map of stores and transfer routes"
      data-stores={stores.length}
      data-flows={flows?.drawn ?? 0}
      data-flow-level={flows?.level ?? ""}
      data-flow-total={flows?.total ?? 0}
      data-routes={flows?.lines ?? ""}
      data-selected-route={selected ? selected.key : ""}
      data-basemap={useTiles ? "tiles" : "outlines"}
    >
      <MapContainer className="map" preferCanvas center={[39.5, -96]} zoom={4} minZoom={2} worldCopyJump keyboard>
        {useTiles ? (
          <TileBasemap url={tileUrl} attribution={props.tileAttribution} onUnavailable={onTilesUnavailable} />
        ) : (
          <BasemapLayer />
        )}
        {/* One pane per layer kind, stacked so stores stay on top of flows whatever loads last. */}
        <Pane name="clusters" style={{ zIndex: PANE_Z.clusters }}>
          <ClustersLayer stores={stores} clusters={props.clusters} clusterLabels={props.clusterLabels} />
        </Pane>
        <Pane name="routes" style={{ zIndex: PANE_Z.routes }}>
          <PlanFlows
            planId={props.planId}
            productId={props.productId}
            storeId={props.selectedStore}
            filter={props.tableFilter}
            clusterOf={clusterOf}
            faded={selected !== null}
            onShown={setFlows}
            onProductFlows={setProductFlows}
          />
          {selected && <SelectedRoute route={selected} renderer={highlight} />}
        </Pane>
        <Pane name="warehouse" style={{ zIndex: PANE_Z.warehouse }}>
          <WarehouseOrdersLayer stores={stores} orders={props.warehouseOrders} />
        </Pane>
        <Pane name="stores" style={{ zIndex: PANE_Z.stores }}>
          <StoresLayer
            stores={stores}
            clusterLabels={props.clusterLabels}
            productId={productId}
            balances={props.balances}
            selectedStore={props.selectedStore}
            onSelectStore={props.onSelectStore}
          />
        </Pane>
        <ResizeWatcher />
        <FitAllControl storePoints={storePoints} />
        <FitView storePoints={storePoints} focusKey={focus.key} focus={focus.points} />
      </MapContainer>
      <MapLegend
        clusterLabels={props.clusterLabels}
        productId={props.productId}
        basis={props.balanceBasis}
        flows={flows}
        storeId={props.selectedStore}
        onClearStore={props.onClearStore}
        reach={props.reach}
        warnKm={props.warnKm}
      />
    </div>
  );
}

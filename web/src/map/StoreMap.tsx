/**
 * The map: a basemap (configured tiles, or the bundled outlines when there are none or they fail),
 * cluster outlines, routes, warehouse-order rings and store markers, all on one canvas renderer
 * so that thousands of stores pan smoothly.
 */
import { useCallback, useMemo, useState } from "react";
import { MapContainer, Pane } from "react-leaflet";
import type { ClusterInfo, Store, WarehouseOrder } from "../api/types";
import type { BalanceBasis, StoreBalance } from "../lib/balance";
import type { LatLon } from "../lib/geometry";
import { BasemapLayer } from "./BasemapLayer";
import { ClustersLayer } from "./ClustersLayer";
import { FitAllControl } from "./FitAllControl";
import { FitView } from "./FitView";
import { ResizeWatcher } from "./ResizeWatcher";
import { MapLegend } from "./MapLegend";
import type { Route } from "./routes";
import { RoutesLayer } from "./RoutesLayer";
import { StoresLayer } from "./StoresLayer";
import { TileBasemap } from "./TileBasemap";
import { WarehouseOrdersLayer } from "./WarehouseOrdersLayer";

export interface StoreMapProps {
  stores: readonly Store[];
  clusters: readonly ClusterInfo[];
  clusterLabels: readonly string[];
  routes: readonly Route[];
  warehouseOrders: readonly WarehouseOrder[];
  productId: string | null;
  balances: ReadonlyMap<string, StoreBalance> | null;
  balanceBasis: BalanceBasis;
  selectedRoute: string | null;
  onSelectRoute: (key: string) => void;
  selectedStore: string | null;
  onSelectStore: (storeId: string) => void;
  tileUrl: string;
  tileAttribution: string;
}

export function StoreMap(props: StoreMapProps) {
  const { stores, routes, selectedRoute, tileUrl } = props;
  const [tilesFailed, setTilesFailed] = useState(false);
  const onTilesUnavailable = useCallback(() => setTilesFailed(true), []);
  const storePoints = useMemo(() => stores.map((s) => [s.lat, s.lon] as LatLon), [stores]);
  const focus = useMemo(() => {
    const r = routes.find((x) => x.key === selectedRoute);
    if (r) return { key: `route:${r.key}`, points: [r.from, r.to] };
    if (props.productId !== null && routes.length > 0) {
      return { key: `product:${props.productId}`, points: routes.flatMap((x) => [x.from, x.to]) };
    }
    return { key: null, points: [] };
  }, [routes, selectedRoute, props.productId]);
  const useTiles = tileUrl !== "" && !tilesFailed;

  return (
    <div
      className="map-wrap"
      role="region"
      aria-label="Map of stores and transfer routes"
      data-stores={stores.length}
      data-routes={routes.length}
      data-selected-route={selectedRoute ?? ""}
      data-basemap={useTiles ? "tiles" : "outlines"}
    >
      <MapContainer className="map" preferCanvas center={[39.5, -96]} zoom={4} minZoom={2} worldCopyJump keyboard>
        {useTiles ? (
          <TileBasemap url={tileUrl} attribution={props.tileAttribution} onUnavailable={onTilesUnavailable} />
        ) : (
          <BasemapLayer />
        )}
        {/* One pane per layer kind, stacked so stores stay on top of routes whatever loads last. */}
        <Pane name="clusters" style={{ zIndex: 410 }}>
          <ClustersLayer stores={stores} clusters={props.clusters} clusterLabels={props.clusterLabels} />
        </Pane>
        <Pane name="routes" style={{ zIndex: 420 }}>
          <RoutesLayer routes={routes} selectedKey={selectedRoute} onSelect={props.onSelectRoute} />
        </Pane>
        <Pane name="warehouse" style={{ zIndex: 430 }}>
          <WarehouseOrdersLayer stores={stores} orders={props.warehouseOrders} />
        </Pane>
        <Pane name="stores" style={{ zIndex: 440 }}>
          <StoresLayer
            stores={stores}
            clusterLabels={props.clusterLabels}
            productId={props.productId}
            balances={props.balances}
            selectedStore={props.selectedStore}
            onSelectStore={props.onSelectStore}
          />
        </Pane>
        <ResizeWatcher />
        <FitAllControl storePoints={storePoints} />
        <FitView storePoints={storePoints} focusKey={focus.key} focus={focus.points} />
      </MapContainer>
      <MapLegend clusterLabels={props.clusterLabels} productId={props.productId} basis={props.balanceBasis} />
    </div>
  );
}

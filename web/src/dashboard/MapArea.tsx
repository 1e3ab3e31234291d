/** The map of stores and routes, or why there is none yet (loading, or no stores imported). */
import { memo, useMemo } from "react";
import type { AppConfig } from "../api/types";
import { clusterReach } from "../lib/clusterReach";
import { StoreMap } from "../map/StoreMap";
import type { TableFilter } from "../plan/TransfersTable";
import type { PlanView } from "./usePlanView";

/**
 * Drawn again only when what it shows changes: a tab switched or a filter typed elsewhere on the
 * page must not re-render every route of a chain-sized plan.
 */
const ShownMap = memo(StoreMap);

interface Props {
  view: PlanView;
  config: AppConfig | undefined;
  selectedStore: string | null;
  onSelectStore: (storeId: string) => void;
  onClearStore: () => void;
}

/**
 * Whether the transfers table narrows its lines by more than the store chosen: then the map
 * asks the service for the flows of the lines it lists; a store alone is the map's own focus.
 */
export function filtersLines(filter: TableFilter | null): boolean {
  return filter !== null && (filter.text !== "" || filter.scope !== "" || filter.status !== "");
}

/** Used until the service's config says otherwise (STOCKSHIFT_INTRA_CLUSTER_WARN_KM's default). */
const WARN_KM = 300;

export function MapArea({ view, config, selectedStore, onSelectStore, onClearStore }: Props) {
  const warnKm = config?.intra_cluster_warn_km ?? WARN_KM;
  const reach = useMemo(
    () => clusterReach(view.clusters, view.stores, view.transfers, warnKm),
    [view.clusters, view.stores, view.transfers, warnKm],
  );
  if (view.storesLoading) return <div className="map-wrap loading">Loading stores…</div>;
  if (view.stores.length === 0) {
    return (
      <div className="map-wrap empty">
        No stores yet. An admin imports them with `stockshift db import` or POST /api/v1/import.
      </div>
    );
  }
  return (
    <ShownMap
      stores={view.stores}
      clusters={view.clusters}
      clusterLabels={view.clusterLabels}
      // The flows are the service's sums: drawn once the summary says the plan finished, not after the whole document.
      planId={view.headerReady ? view.planId : null}
      tableFilter={filtersLines(view.tableFilter) ? view.tableFilter : null}
      warehouseOrders={view.orders}
      productId={view.productId}
      balances={view.balances}
      balanceBasis={view.balanceBasis}
      selectedLine={view.selectedLine}
      selectedStore={selectedStore}
      onSelectStore={onSelectStore}
      onClearStore={onClearStore}
      tileUrl={config?.tile_url ?? ""}
      tileAttribution={config?.tile_attribution ?? ""}
      reach={reach}
      warnKm={warnKm}
    />
  );
}

/**
 * The tabs under the map: the plan's transfers and warehouse orders, the sales charts, the
 * clusters, and the backtest that says which policy would have sold more.
 */
import { type ReactNode, Suspense, lazy } from "react";
import type { PlanParameters } from "../api/types";
import type { BacktestRun } from "../backtest/useBacktestRun";
import { ClusterSummary } from "../insight/ClusterSummary";
import { TransfersTable } from "../plan/TransfersTable";
import { WarehouseOrdersTable } from "../plan/WarehouseOrdersTable";
import { Tabs } from "../Tabs";
import type { useLineActions } from "./useLineActions";
import type { PlanView } from "./usePlanView";

// The charting library is only needed on the Insight and Clusters tabs: load it with them.
const InsightPanel = lazy(() => import("../insight/InsightPanel").then((m) => ({ default: m.InsightPanel })));
const ElbowChart = lazy(() => import("../insight/ElbowChart").then((m) => ({ default: m.ElbowChart })));
const BacktestPanel = lazy(() => import("../backtest/BacktestPanel").then((m) => ({ default: m.BacktestPanel })));

export const TABS = ["Transfers", "Warehouse orders", "Insight", "Clusters", "Backtest"] as const;
export type Tab = (typeof TABS)[number];

interface Props {
  tab: Tab;
  onTab: (tab: Tab) => void;
  view: PlanView;
  lines: ReturnType<typeof useLineActions>;
  selectedStore: string | null;
  onSelectStore: (storeId: string | null) => void;
  backtest: BacktestRun;
  onPlan: (params: PlanParameters) => void;
  planning: boolean;
}

/** A plan's own tables wait until it has finished (they read their rows from the service, not the plan document). */
function Finished({ view, what, children }: { view: PlanView; what: string; children: ReactNode }) {
  return view.headerReady ? children : <p className="empty">{what} appear here once a plan has finished.</p>;
}

export function DetailTabs(props: Props) {
  const { tab, onTab, view, lines, selectedStore, onSelectStore } = props;
  const planId = view.header?.plan_id ?? "";
  return (
    <Tabs tabs={TABS} current={tab} onChange={onTab}>
      <Suspense fallback={<p className="loading">Loading charts…</p>}>
        {tab === "Transfers" && (
          <Finished view={view} what="Transfers">
            <TransfersTable
              key={planId}
              planId={planId}
              productId={view.productId}
              storeId={selectedStore}
              onClearStore={() => onSelectStore(null)}
              withGain={view.withGain}
              inTransit={view.inTransit}
              stores={view.stores}
              selectedKey={view.selectedRoute}
              selectedLine={view.selectedLine}
              onSelect={view.selectLine}
              onReceive={lines.receiveLine}
              onCancel={lines.cancelLine}
              onReceiveAll={lines.receiveLines}
              receivingAll={lines.receivingAll}
              busyLine={lines.busyLine}
              onFilter={view.setTableFilter}
            />
          </Finished>
        )}
        {tab === "Warehouse orders" && (
          <Finished view={view} what="Warehouse orders">
            <WarehouseOrdersTable key={planId} planId={planId} productId={view.productId} storeId={selectedStore} />
          </Finished>
        )}
        {tab === "Insight" && (
          <InsightPanel
            stores={view.stores}
            selectedStore={selectedStore}
            onSelectStore={onSelectStore}
            productId={view.productId}
            forecast={view.planReady ? (view.plan?.forecast ?? null) : null}
            planTargets={view.planReady ? (view.plan?.targets ?? null) : null}
          />
        )}
        {tab === "Clusters" && (
          <div className="clusters-tab">
            {view.elbow ? (
              <ElbowChart elbow={view.elbow} />
            ) : (
              <p className="empty">No elbow curve: the clusters were given or fixed.</p>
            )}
            <ClusterSummary
              stores={view.stores}
              clusters={view.clusters}
              clusterLabels={view.clusterLabels}
              transfers={view.transfers}
              orders={view.allOrders}
            />
          </div>
        )}
        {tab === "Backtest" && <BacktestPanel run={props.backtest} onPlan={props.onPlan} planning={props.planning} />}
      </Suspense>
    </Tabs>
  );
}

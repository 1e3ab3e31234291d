/**
 * The signed-in page: plan form and KPIs on the left, the map in the middle, and below it the
 * tabs for transfers, warehouse orders, charts, clusters and backtests. The state lives in hooks:
 * what is shown (`usePlanView`), where the planner's attention is (`useSelection`), what the
 * planner does (`usePlanActions`, `useLineActions`, `useBacktestRun`) and the message it leaves
 * (`useBanner`).
 */
import { memo } from "react";
import type { ApiClient } from "./api/client";
import { ApiContext } from "./api/context";
import { useServiceEvents } from "./api/events";
import { useConfig } from "./api/queries";
import type { Me, PlanParameters } from "./api/types";
import { useBacktestRun } from "./backtest/useBacktestRun";
import { Banner, LoadError } from "./dashboard/Banner";
import { DetailTabs } from "./dashboard/DetailTabs";
import { MapArea } from "./dashboard/MapArea";
import { useBanner } from "./dashboard/useBanner";
import { useLineActions, usePlanActions } from "./dashboard/useLineActions";
import { usePlanView } from "./dashboard/usePlanView";
import { useSelection } from "./dashboard/useSelection";
import { ChainStock } from "./plan/ChainStock";
import { ExecuteDialog } from "./plan/ExecuteDialog";
import { PlanForm } from "./plan/PlanForm";
import { PlanStatus } from "./plan/PlanStatus";
import { usePlanStockCheck } from "./plan/stockCheck";
import { TopBar } from "./TopBar";

// Drawn again only when their own props change: choosing a line or a product elsewhere on the
// page leaves the top bar (a product list of hundreds), the plan form, the plan's header and the
// chain's totals alone.
const ShownTopBar = memo(TopBar);
const ShownChainStock = memo(ChainStock);
const ShownPlanForm = memo(PlanForm);
const ShownPlanStatus = memo(PlanStatus);

interface Props {
  api: ApiClient;
  apiKey: string;
  me: Me;
  onSignOut: () => void;
}

const VIEWER_RUN_NOTE = "Run is off: your key is a viewer key, and planning needs a planner key.";
const VIEWER_EXECUTE_NOTE = "Execute is off: your key is a viewer key, and executing needs a planner key.";

export function Dashboard({ api, apiKey, me, onSignOut }: Props) {
  const live = useServiceEvents(apiKey);
  const config = useConfig(api);
  const view = usePlanView(api);
  const selection = useSelection(view);
  const banner = useBanner();
  const actions = usePlanActions(api, banner, view.showPlan);
  const lines = useLineActions(api, banner);
  const backtest = useBacktestRun(api, banner, selection.tab === "Backtest", live);
  const current = view.header;
  const stockCheck = usePlanStockCheck(api, view.planId, current?.status === "completed");
  // Planning from the backtest's verdict: the new plan's lines, all of them, are what the planner
  // wants next (a product or store chosen earlier could hide every line).
  const planFromBacktest = (params: PlanParameters) => {
    actions.runPlan(params);
    view.showProduct(null);
    selection.setSelectedStore(null);
    selection.setTab("Transfers");
  };

  return (
    <ApiContext.Provider value={api}>
      <div className="app">
        <ShownTopBar
          plans={view.plans}
          planId={view.planId}
          onPlan={view.showPlan}
          products={view.products}
          productId={view.productId}
          onProduct={view.showProduct}
          live={live}
          me={me}
          onSignOut={onSignOut}
        />
        <Banner notice={banner.notice} onDismiss={banner.clear} />
        <LoadError error={view.loadError} />

        <aside className="side">
          <h2>New plan</h2>
          <ShownPlanForm
            onSubmit={actions.runPlan}
            busy={actions.planning || current?.status === "running"}
            roleNote={me.role === "viewer" ? VIEWER_RUN_NOTE : null}
          />
          <h2>Plan {current ? `#${current.plan_id}` : ""}</h2>
          <ShownPlanStatus
            planId={view.planId}
            plan={current}
            canExecute={view.canExecute}
            executeNote={me.role === "viewer" ? VIEWER_EXECUTE_NOTE : null}
            stockCheck={stockCheck.data}
            onExecute={actions.askExecute}
          />
          <ShownChainStock />
        </aside>

        <main className="main">
          <MapArea
            view={view}
            config={config.data}
            selectedStore={selection.selectedStore}
            onSelectStore={selection.selectStore}
            onClearStore={selection.clearStore}
          />
          <DetailTabs
            tab={selection.tab}
            onTab={selection.setTab}
            view={view}
            lines={lines}
            selectedStore={selection.selectedStore}
            onSelectStore={selection.setSelectedStore}
            backtest={backtest}
            onPlan={planFromBacktest}
            planning={actions.planning}
          />
        </main>

        {actions.confirming && (
          <ExecuteDialog
            transfers={view.transfers}
            busy={actions.executing}
            stockCheck={stockCheck.data}
            onConfirm={() => actions.execute(view.planId)}
            onCancel={actions.dismissExecute}
          />
        )}
      </div>
    </ApiContext.Provider>
  );
}

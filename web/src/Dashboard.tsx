/**
 * The signed-in page: plan form and KPIs on the left, the map in the middle, and below it the
 * tabs for transfers, warehouse orders, charts and clusters. State shared between the map and
 * the tables (selected plan, route, store and product) lives here.
 */
import { Suspense, lazy, useCallback, useEffect, useMemo, useState } from "react";
import type { ApiClient } from "./api/client";
import { describeError } from "./api/errors";
import { ApiContext } from "./api/context";
import { useServiceEvents } from "./api/events";
import {
  useClusters,
  useConfig,
  useCreatePlan,
  useExecutePlan,
  usePlan,
  usePlans,
  useCancelTransfer,
  useReceiveMany,
  useReceiveTransfer,
  useStock,
  useStores,
} from "./api/queries";
import type { Me, PlanParameters, Store, Transfer } from "./api/types";
import { ClusterSummary } from "./insight/ClusterSummary";
import { type BalanceBasis, clusterMeanBalances, planBalances } from "./lib/balance";
import { fmtInt } from "./lib/format";
import { sortClusterLabels } from "./lib/palette";
import { StoreMap } from "./map/StoreMap";
import { resolveRoutes } from "./map/routes";
import { ExecuteDialog } from "./plan/ExecuteDialog";
import { ChainStock } from "./plan/ChainStock";
import { PlanStatus } from "./plan/PlanStatus";
import { PlanForm } from "./plan/PlanForm";
import { TransfersTable } from "./plan/TransfersTable";
import { WarehouseOrdersTable } from "./plan/WarehouseOrdersTable";
import { Tabs } from "./Tabs";
import { TopBar } from "./TopBar";

// The charting library is only needed on the Insight and Clusters tabs: load it with them.
const InsightPanel = lazy(() => import("./insight/InsightPanel").then((m) => ({ default: m.InsightPanel })));
const ElbowChart = lazy(() => import("./insight/ElbowChart").then((m) => ({ default: m.ElbowChart })));

interface Props {
  api: ApiClient;
  apiKey: string;
  me: Me;
  onSignOut: () => void;
}

type Banner = { kind: "error" | "info"; title: string; message: string } | null;
const TABS = ["Transfers", "Warehouse orders", "Insight", "Clusters"] as const;
type Tab = (typeof TABS)[number];

export function Dashboard({ api, apiKey, me, onSignOut }: Props) {
  const live = useServiceEvents(apiKey);
  const config = useConfig(api);
  const baseStores = useStores(api);
  const plans = usePlans(api);
  const [planId, setPlanId] = useState<string | null>(null);
  const [productId, setProductId] = useState<string | null>(null);
  const [selectedRoute, setSelectedRoute] = useState<string | null>(null);
  const [selectedStore, setSelectedStore] = useState<string | null>(null);
  const [tab, setTab] = useState<Tab>("Transfers");
  const [banner, setBanner] = useState<Banner>(null);
  const [confirming, setConfirming] = useState(false);

  // Show the newest plan until the planner picks one.
  useEffect(() => {
    if (planId === null && plans.data && plans.data.length > 0) setPlanId(plans.data[0]?.plan_id ?? null);
  }, [plans.data, planId]);

  const plan = usePlan(api, planId);
  const planReady = plan.data !== undefined && plan.data.status !== "running" && plan.data.status !== "failed";
  const clustersQuery = useClusters(api, !planReady);
  const stock = useStock(api, productId);
  const createPlan = useCreatePlan(api);
  const executePlan = useExecutePlan(api);
  const receive = useReceiveTransfer(api);
  const cancel = useCancelTransfer(api);
  const receiveMany = useReceiveMany(api);

  // The stores with the clusters of the plan on screen, else the clusters the service computes now.
  const stores = useMemo<Store[]>(() => {
    const base = baseStores.data ?? [];
    const planStores = planReady ? (plan.data?.stores ?? []) : [];
    const clusterOf = new Map<string, string>();
    if (planStores.length > 0) for (const s of planStores) clusterOf.set(s.store_id, s.cluster);
    else for (const c of clustersQuery.data?.clusters ?? []) for (const id of c.store_ids) clusterOf.set(id, c.cluster);
    if (base.length === 0) return planStores;
    return base.map((s) => ({ ...s, cluster: clusterOf.get(s.store_id) ?? s.cluster }));
  }, [baseStores.data, plan.data, planReady, clustersQuery.data]);
  const clusters = (planReady ? plan.data?.clusters : clustersQuery.data?.clusters) ?? [];
  const elbow = (planReady ? plan.data?.elbow : clustersQuery.data?.elbow) ?? null;
  const clusterLabels = useMemo(() => sortClusterLabels(stores.map((s) => s.cluster)), [stores]);

  const transfers = useMemo<Transfer[]>(() => (planReady ? (plan.data?.transfers ?? []) : []), [planReady, plan.data]);
  const productTransfers = useMemo(
    () => (productId === null ? transfers : transfers.filter((t) => t.product_id === productId)),
    [transfers, productId],
  );
  const routes = useMemo(() => resolveRoutes(productTransfers, stores), [productTransfers, stores]);
  // The transfers table's filters narrow the map too, so what the table lists is what is drawn.
  const [tableKeys, setTableKeys] = useState<ReadonlySet<string> | null>(null);
  const mapRoutes = useMemo(
    () => (tableKeys === null ? routes : routes.filter((r) => tableKeys.has(r.key))),
    [routes, tableKeys],
  );
  const allOrders = useMemo(() => (planReady ? (plan.data?.warehouse_orders ?? []) : []), [plan.data, planReady]);
  const orders = useMemo(
    () => (productId === null ? allOrders : allOrders.filter((o) => o.product_id === productId)),
    [allOrders, productId],
  );
  const products = useMemo(() => {
    const ids = new Set<string>();
    for (const t of transfers) ids.add(t.product_id);
    for (const o of plan.data?.warehouse_orders ?? []) ids.add(o.product_id);
    return [...ids].sort();
  }, [transfers, plan.data]);
  // A cluster-mean target can be recomputed from the stock; any other is shown as the plan used it.
  const balanceBasis: BalanceBasis = planReady && plan.data?.target !== "cluster-mean" ? "plan" : "cluster-mean";
  const balances = useMemo(() => {
    if (productId === null || !stock.data) return null;
    return balanceBasis === "plan"
      ? planBalances(stock.data, productTransfers, orders)
      : clusterMeanBalances(stores, stock.data);
  }, [productId, stock.data, stores, balanceBasis, productTransfers, orders]);

  const fail = useCallback((e: unknown) => setBanner({ kind: "error", ...describeError(e) }), []);

  const runPlan = (params: PlanParameters) => {
    setBanner(null);
    createPlan.mutate(params, {
      onSuccess: (id) => {
        setPlanId(id);
        setSelectedRoute(null);
      },
      onError: fail,
    });
  };
  const execute = () => {
    if (planId === null) return;
    executePlan.mutate(planId, {
      onSuccess: (done) => {
        setConfirming(false);
        setBanner({
          kind: "info",
          title: "Plan executed",
          message: `${fmtInt(done.lines)} lines dispatched, ${fmtInt(done.units)} units in transit; receive them as they arrive.`,
        });
      },
      onError: (e) => {
        setConfirming(false);
        fail(e);
      },
    });
  };
  const receiveLine = (transferId: number) => {
    receive.mutate(transferId, {
      onSuccess: () =>
        setBanner({
          kind: "info",
          title: "Received",
          message: `Transfer ${transferId} is now on hand at its destination.`,
        }),
      onError: fail,
    });
  };
  const receiveLines = (transferIds: number[]) => {
    receiveMany.mutate(transferIds, {
      onSuccess: (n) =>
        setBanner({
          kind: "info",
          title: "Received",
          message: `${fmtInt(n)} lines are now on hand at their destinations.`,
        }),
      onError: fail,
    });
  };
  const cancelLine = (transferId: number) => {
    cancel.mutate(transferId, {
      onSuccess: () =>
        setBanner({
          kind: "info",
          title: "Cancelled",
          message: `Transfer ${transferId} is cancelled; its units are back on hand at the source.`,
        }),
      onError: fail,
    });
  };
  const selectRoute = useCallback(
    (key: string) => {
      setSelectedRoute(key);
      setTab("Transfers");
    },
    [setSelectedRoute],
  );

  const selectStore = useCallback(
    (storeId: string) => {
      setSelectedStore(storeId);
      if (productId !== null) setTab("Insight");
    },
    [productId],
  );

  const current = plan.data;
  const canExecute =
    current !== undefined && current.status === "completed" && transfers.some((t) => t.status === "proposed");
  const roleNote =
    me.role === "viewer"
      ? "Your key is a viewer key: you can look, but planning and executing need a planner key."
      : null;
  const loadError = baseStores.error ?? plans.error ?? plan.error;

  return (
    <ApiContext.Provider value={api}>
      <div className="app">
        <TopBar
          plans={plans.data ?? []}
          planId={planId}
          onPlan={(id) => {
            setPlanId(id);
            setSelectedRoute(null);
          }}
          products={products}
          productId={productId}
          onProduct={(id) => {
            setProductId(id);
            setSelectedRoute(null);
          }}
          live={live}
          me={me}
          onSignOut={onSignOut}
        />

        {banner && (
          <div role={banner.kind === "error" ? "alert" : "status"} className={`banner ${banner.kind}`}>
            <strong>{banner.title}.</strong> {banner.message}
            <button type="button" className="small" onClick={() => setBanner(null)} aria-label="Dismiss message">
              ×
            </button>
          </div>
        )}
        {loadError && (
          <div role="alert" className="banner error">
            <strong>{describeError(loadError).title}.</strong> {describeError(loadError).message}
          </div>
        )}

        <aside className="side">
          <h2>New plan</h2>
          <PlanForm
            onSubmit={runPlan}
            busy={createPlan.isPending || current?.status === "running"}
            roleNote={roleNote}
          />
          <h2>Plan {current ? `#${current.plan_id}` : ""}</h2>
          <PlanStatus planId={planId} plan={current} canExecute={canExecute} onExecute={() => setConfirming(true)} />
          <ChainStock />
        </aside>

        <main className="main">
          {baseStores.isLoading ? (
            <div className="map-wrap loading">Loading stores…</div>
          ) : stores.length === 0 ? (
            <div className="map-wrap empty">
              No stores yet. An admin imports them with `stockshift db import` or POST /api/v1/import.
            </div>
          ) : (
            <StoreMap
              stores={stores}
              clusters={clusters}
              clusterLabels={clusterLabels}
              routes={mapRoutes}
              warehouseOrders={orders}
              productId={productId}
              balances={balances}
              balanceBasis={balanceBasis}
              selectedRoute={selectedRoute}
              onSelectRoute={selectRoute}
              selectedStore={selectedStore}
              onSelectStore={selectStore}
              tileUrl={config.data?.tile_url ?? ""}
              tileAttribution={config.data?.tile_attribution ?? ""}
            />
          )}

          <Tabs tabs={TABS} current={tab} onChange={setTab}>
            <Suspense fallback={<p className="loading">Loading charts…</p>}>
              {tab === "Transfers" &&
                (planReady && current ? (
                  <TransfersTable
                    planId={current.plan_id}
                    routes={routes}
                    stores={stores}
                    selectedKey={selectedRoute}
                    onSelect={setSelectedRoute}
                    onReceive={receiveLine}
                    onCancel={cancelLine}
                    onReceiveAll={receiveLines}
                    receivingAll={receiveMany.isPending}
                    busyLine={
                      receive.isPending
                        ? (receive.variables ?? null)
                        : cancel.isPending
                          ? (cancel.variables ?? null)
                          : null
                    }
                    onFilter={setTableKeys}
                  />
                ) : (
                  <p className="empty">Transfers appear here once a plan has finished.</p>
                ))}
              {tab === "Warehouse orders" &&
                (planReady && current ? (
                  <WarehouseOrdersTable planId={current.plan_id} orders={orders} />
                ) : (
                  <p className="empty">Warehouse orders appear here once a plan has finished.</p>
                ))}
              {tab === "Insight" && (
                <InsightPanel
                  stores={stores}
                  selectedStore={selectedStore}
                  onSelectStore={setSelectedStore}
                  productId={productId}
                />
              )}
              {tab === "Clusters" && (
                <div className="clusters-tab">
                  {elbow ? (
                    <ElbowChart elbow={elbow} />
                  ) : (
                    <p className="empty">No elbow curve: the clusters were given or fixed.</p>
                  )}
                  <ClusterSummary
                    stores={stores}
                    clusters={clusters}
                    clusterLabels={clusterLabels}
                    transfers={transfers}
                    orders={allOrders}
                  />
                </div>
              )}
            </Suspense>
          </Tabs>
        </main>

        {confirming && (
          <ExecuteDialog
            transfers={transfers}
            busy={executePlan.isPending}
            onConfirm={execute}
            onCancel={() => setConfirming(false)}
          />
        )}
      </div>
    </ApiContext.Provider>
  );
}

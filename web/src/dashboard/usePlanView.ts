/**
 * What the map and the tables show: the plan on screen (the newest until the planner picks one),
 * its header (status, settings, totals: GET .../summary, polled while it runs), the product
 * chosen, the stores with their clusters, the line chosen in the transfers table and its filters
 * (the map draws the flows of what the table lists), the plan's warehouse orders and the stock
 * balances. The whole plan document is asked for only once the plan has finished, for the product
 * list, clusters, balances and the execute dialog; the tables read their rows a page at a time,
 * and the map its flows, on their own.
 */
import { useCallback, useEffect, useMemo, useState } from "react";
import type { ApiClient } from "../api/client";
import { toPlanHeader } from "../api/normalise";
import { useClusters, usePlan, usePlanTotals, usePlans, useStock, useStores } from "../api/queries";
import type { PlanHeader, Store, Transfer } from "../api/types";
import { type BalanceBasis, clusterMeanBalances, planBalances } from "../lib/balance";
import { sortClusterLabels } from "../lib/palette";
import { routeKey } from "../map/routes";
import type { TableFilter } from "../plan/TransfersTable";

const FINISHED: readonly string[] = ["completed", "executed"];

export function usePlanView(api: ApiClient) {
  const baseStores = useStores(api);
  const plans = usePlans(api);
  const [planId, setPlanId] = useState<string | null>(null);
  const [productId, setProductId] = useState<string | null>(null);
  // The line chosen in the transfers table, as its page gave it: no plan document needed.
  const [selectedLine, setSelectedLine] = useState<Transfer | null>(null);
  // The transfers table's filters narrow the map too, so what the table lists is what is drawn.
  const [tableFilter, setTableFilter] = useState<TableFilter | null>(null);

  // Show the newest plan until the planner picks one.
  useEffect(() => {
    if (planId === null && plans.data && plans.data.length > 0) setPlanId(plans.data[0]?.plan_id ?? null);
  }, [plans.data, planId]);

  const totals = usePlanTotals(api, planId);
  // Until the summary arrives, the plan list's entry stands in (status and summary), so the tables
  // ask for their first page alongside the summary rather than after it.
  const listed = plans.data?.find((p) => p.plan_id === planId);
  const header = useMemo<PlanHeader | undefined>(() => {
    if (totals.data) return toPlanHeader(totals.data);
    if (!listed) return undefined;
    return { ...listed, error: null, progress: null, policy: null };
  }, [totals.data, listed]);
  const headerReady = header !== undefined && FINISHED.includes(header.status);
  // The whole document waits for the summary itself: it is the heaviest read, and the lines on screen come first.
  const plan = usePlan(api, planId, totals.data !== undefined && FINISHED.includes(totals.data.status));
  const current = plan.data;
  const planReady = current !== undefined && current.status !== "running" && current.status !== "failed";
  const clustersQuery = useClusters(api, !planReady);
  const stock = useStock(api, productId);

  // The stores with the clusters of the plan on screen, else the clusters the service computes now.
  const stores = useMemo<Store[]>(() => {
    const base = baseStores.data ?? [];
    const planStores = planReady ? (current?.stores ?? []) : [];
    const clusterOf = new Map<string, string>();
    if (planStores.length > 0) for (const s of planStores) clusterOf.set(s.store_id, s.cluster);
    else for (const c of clustersQuery.data?.clusters ?? []) for (const id of c.store_ids) clusterOf.set(id, c.cluster);
    if (base.length === 0) return planStores;
    return base.map((s) => ({ ...s, cluster: clusterOf.get(s.store_id) ?? s.cluster }));
  }, [baseStores.data, current, planReady, clustersQuery.data]);
  const clusters = (planReady ? current?.clusters : clustersQuery.data?.clusters) ?? [];
  const elbow = (planReady ? current?.elbow : clustersQuery.data?.elbow) ?? null;
  const clusterLabels = useMemo(() => sortClusterLabels(stores.map((s) => s.cluster)), [stores]);

  const transfers = useMemo<Transfer[]>(() => (planReady ? (current?.transfers ?? []) : []), [planReady, current]);
  const productTransfers = useMemo(
    () => (productId === null ? transfers : transfers.filter((t) => t.product_id === productId)),
    [transfers, productId],
  );
  const selectedRoute = selectedLine === null ? null : routeKey(selectedLine, -1);
  const allOrders = useMemo(() => (planReady ? (current?.warehouse_orders ?? []) : []), [current, planReady]);
  const orders = useMemo(
    () => (productId === null ? allOrders : allOrders.filter((o) => o.product_id === productId)),
    [allOrders, productId],
  );
  const products = useMemo(() => {
    const ids = new Set<string>();
    for (const t of transfers) ids.add(t.product_id);
    for (const o of current?.warehouse_orders ?? []) ids.add(o.product_id);
    return [...ids].sort();
  }, [transfers, current]);
  // A cluster-mean target can be recomputed from the stock; any other is shown as the plan used it.
  const balanceBasis: BalanceBasis = planReady && current?.target !== "cluster-mean" ? "plan" : "cluster-mean";
  const balances = useMemo(() => {
    if (productId === null || !stock.data) return null;
    return balanceBasis === "plan"
      ? planBalances(stock.data, productTransfers, orders)
      : clusterMeanBalances(stores, stock.data);
  }, [productId, stock.data, stores, balanceBasis, productTransfers, orders]);

  /** Another plan or product on screen: the route chosen on the old one means nothing there. */
  const showPlan = useCallback((id: string | null) => {
    setPlanId(id);
    setSelectedLine(null);
  }, []);
  const showProduct = useCallback((id: string | null) => {
    setProductId(id);
    setSelectedLine(null);
  }, []);

  const statuses = totals.data?.statuses;
  // The execute dialog names what moves from the document's lines: wait for them too.
  const canExecute = header?.status === "completed" && (statuses?.proposed?.lines ?? 0) > 0 && planReady;
  /** Lines of an expected-benefit plan carry an expected gain: the tables show it. */
  const withGain = header?.policy === "expected-benefit" || (header?.summary?.expected_gain ?? null) !== null;

  return {
    plans: plans.data ?? [],
    planId,
    showPlan,
    plan: current,
    planReady,
    header,
    headerReady,
    withGain,
    inTransit: statuses?.dispatched?.lines ?? 0,
    productId,
    showProduct,
    products,
    storesLoading: baseStores.isLoading,
    stores,
    clusters,
    elbow,
    clusterLabels,
    transfers,
    tableFilter,
    setTableFilter,
    selectedLine,
    allOrders,
    orders,
    balanceBasis,
    balances,
    selectedRoute,
    selectLine: setSelectedLine,
    canExecute,
    loadError: baseStores.error ?? plans.error ?? totals.error ?? plan.error,
  };
}

export type PlanView = ReturnType<typeof usePlanView>;

/** TanStack Query hooks: one cache key per resource, so events and mutations can mark exactly what changed. */
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ApiClient } from "./client";
import {
  cancelTransfer,
  createPlan,
  executePlan,
  fetchClusters,
  fetchConfig,
  fetchInsight,
  fetchPlan,
  fetchPlans,
  fetchStock,
  fetchStoreStock,
  fetchStores,
  fetchTotals,
  receiveTransfer,
  receiveTransfers,
} from "./service";
import { createBacktest, fetchBacktest } from "./backtests";
import {
  type LineQuery,
  type OrderQuery,
  fetchDestinations,
  fetchLinePage,
  fetchOrderPage,
  fetchPlanTotals,
} from "./planlines";
import type { BacktestParameters, ForecastSettings, PlanParameters } from "./types";

/** A plan still computing is polled as well as followed on the event stream, in case the stream drops. */
const RUNNING_POLL_MS = 1500;
/** While the event stream is down, a running backtest is polled (its `backtest` events move the bar otherwise). */
const BACKTEST_POLL_MS = 1000;

export function useConfig(api: ApiClient) {
  return useQuery({ queryKey: ["config"], queryFn: () => fetchConfig(api), staleTime: Infinity });
}

export function useStores(api: ApiClient) {
  return useQuery({ queryKey: ["stores"], queryFn: () => fetchStores(api) });
}

export function useClusters(api: ApiClient, enabled: boolean) {
  return useQuery({ queryKey: ["clusters"], queryFn: () => fetchClusters(api), enabled, staleTime: 60_000 });
}

export function usePlans(api: ApiClient) {
  return useQuery({ queryKey: ["plans"], queryFn: () => fetchPlans(api) });
}

/**
 * The whole plan document, for what still needs every line at once (map, clusters, execute);
 * asked for once the plan has finished; its header and tables have their own, smaller queries.
 */
export function usePlan(api: ApiClient, planId: string | null, enabled = true) {
  return useQuery({
    queryKey: ["plan", planId],
    queryFn: () => fetchPlan(api, planId ?? ""),
    enabled: planId !== null && enabled,
    refetchInterval: (q) => (q.state.data?.status === "running" ? RUNNING_POLL_MS : false),
  });
}

/** The plan's status, settings and totals (GET .../summary): polled while the plan runs. */
export function usePlanTotals(api: ApiClient, planId: string | null) {
  return useQuery({
    queryKey: ["plan", planId, "summary"],
    queryFn: () => fetchPlanTotals(api, planId ?? ""),
    enabled: planId !== null,
    refetchInterval: (q) => (q.state.data?.status === "running" ? RUNNING_POLL_MS : false),
  });
}

/**
 * The plan's lines matching `query`, a page at a time as the table scrolls. Under the plan's
 * key, so whatever marks the plan stale (events, receiving) refreshes the pages too; while a
 * new filter's first page is on its way the last one's rows stay on screen.
 */
export function useLinePages(api: ApiClient, planId: string, query: LineQuery) {
  return useInfiniteQuery({
    queryKey: ["plan", planId, "transfers", query],
    queryFn: ({ pageParam }) => fetchLinePage(api, planId, query, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    placeholderData: keepPreviousData,
  });
}

export function useOrderPages(api: ApiClient, planId: string, query: OrderQuery) {
  return useInfiniteQuery({
    queryKey: ["plan", planId, "warehouse-orders", query],
    queryFn: ({ pageParam }) => fetchOrderPage(api, planId, query, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    placeholderData: keepPreviousData,
  });
}

/** The destinations of the matching lines, with lines and units each (receiving a delivery). */
export function useDestinations(api: ApiClient, planId: string, query: LineQuery, enabled: boolean) {
  return useQuery({
    queryKey: ["plan", planId, "destinations", query],
    queryFn: () => fetchDestinations(api, planId, query),
    enabled,
  });
}

export function useStock(api: ApiClient, productId: string | null) {
  return useQuery({
    queryKey: ["stock", "product", productId],
    queryFn: () => fetchStock(api, productId ?? ""),
    enabled: productId !== null,
  });
}

export function useStoreStock(api: ApiClient, storeId: string) {
  return useQuery({ queryKey: ["stock", "store", storeId], queryFn: () => fetchStoreStock(api, storeId) });
}

export function useTotals(api: ApiClient) {
  return useQuery({ queryKey: ["stock", "totals"], queryFn: () => fetchTotals(api) });
}

export function useInsight(
  api: ApiClient,
  storeId: string | null,
  productId: string | null,
  settings: ForecastSettings | null = null,
) {
  return useQuery({
    queryKey: ["insight", storeId, productId, settings],
    queryFn: () => fetchInsight(api, storeId ?? "", productId ?? "", settings),
    enabled: storeId !== null && productId !== null,
    retry: false,
  });
}

/** After anything that moves stock: plans, their lines, stock per product and the charts are stale. */
function useStockChanged() {
  const queryClient = useQueryClient();
  return () => {
    for (const key of [["plans"], ["plan"], ["stock"], ["insight"]]) {
      void queryClient.invalidateQueries({ queryKey: key });
    }
  };
}

export function useCreatePlan(api: ApiClient) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (params: PlanParameters) => createPlan(api, params),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ["plans"] }),
  });
}

export function useExecutePlan(api: ApiClient) {
  const changed = useStockChanged();
  return useMutation({ mutationFn: (planId: string) => executePlan(api, planId), onSettled: changed });
}

export function useReceiveTransfer(api: ApiClient) {
  const changed = useStockChanged();
  return useMutation({ mutationFn: (transferId: number) => receiveTransfer(api, transferId), onSettled: changed });
}

export function useCancelTransfer(api: ApiClient) {
  const changed = useStockChanged();
  return useMutation({ mutationFn: (transferId: number) => cancelTransfer(api, transferId), onSettled: changed });
}

export function useReceiveMany(api: ApiClient) {
  const changed = useStockChanged();
  return useMutation({
    mutationFn: (ids: number[]) => receiveTransfers(api, ids),
    onSettled: changed,
  });
}

/**
 * A backtest: refetched when its `backtest` events (progress, completed, failed) mark it stale;
 * polled only while the event stream is down (`live` false) and it still replays.
 */
export function useBacktest(api: ApiClient, backtestId: string | null, live: boolean) {
  return useQuery({
    queryKey: ["backtest", backtestId],
    queryFn: () => fetchBacktest(api, backtestId ?? ""),
    enabled: backtestId !== null,
    refetchInterval: (q) => (!live && q.state.data?.status === "running" ? BACKTEST_POLL_MS : false),
  });
}

export function useCreateBacktest(api: ApiClient) {
  return useMutation({ mutationFn: (params: BacktestParameters) => createBacktest(api, params) });
}

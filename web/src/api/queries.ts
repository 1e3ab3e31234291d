/** TanStack Query hooks: one cache key per resource, so events and mutations can mark exactly what changed. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
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
import type { BacktestParameters, ForecastSettings, PlanParameters } from "./types";

/** A plan still computing is polled as well as followed on the event stream, in case the stream drops. */
const RUNNING_POLL_MS = 1500;
/** Backtests report progress week by week: poll a little faster so the bar moves. */
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

export function usePlan(api: ApiClient, planId: string | null) {
  return useQuery({
    queryKey: ["plan", planId],
    queryFn: () => fetchPlan(api, planId ?? ""),
    enabled: planId !== null,
    refetchInterval: (q) => (q.state.data?.status === "running" ? RUNNING_POLL_MS : false),
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

/** A backtest still replaying is polled until it has finished or failed. */
export function useBacktest(api: ApiClient, backtestId: string | null) {
  return useQuery({
    queryKey: ["backtest", backtestId],
    queryFn: () => fetchBacktest(api, backtestId ?? ""),
    enabled: backtestId !== null,
    refetchInterval: (q) => (q.state.data?.status === "running" ? BACKTEST_POLL_MS : false),
  });
}

export function useCreateBacktest(api: ApiClient) {
  return useMutation({ mutationFn: (params: BacktestParameters) => createBacktest(api, params) });
}

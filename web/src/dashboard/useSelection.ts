/**
 * Where the planner's attention is: the tab under the map and the store chosen for the charts.
 * Choosing a route on the map opens its line in the transfers table; choosing a store while a
 * product is shown opens its sales chart.
 */
import { useCallback, useState } from "react";
import type { Tab } from "./DetailTabs";
import type { PlanView } from "./usePlanView";

export function useSelection(view: PlanView) {
  const [tab, setTab] = useState<Tab>("Transfers");
  const [selectedStore, setSelectedStore] = useState<string | null>(null);
  const { setSelectedRoute, productId } = view;
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
  const clearStore = useCallback(() => setSelectedStore(null), []);
  return { tab, setTab, selectedStore, setSelectedStore, selectRoute, selectStore, clearStore };
}

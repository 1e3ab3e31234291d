/**
 * Where the planner's attention is: the tab under the map and the store chosen for the charts.
 * Choosing a store while a product is shown opens its sales chart.
 */
import { useCallback, useState } from "react";
import type { Tab } from "./DetailTabs";
import type { PlanView } from "./usePlanView";

export function useSelection(view: PlanView) {
  const [tab, setTab] = useState<Tab>("Transfers");
  const [selectedStore, setSelectedStore] = useState<string | null>(null);
  const { productId } = view;
  const selectStore = useCallback(
    (storeId: string) => {
      setSelectedStore(storeId);
      if (productId !== null) setTab("Insight");
    },
    [productId],
  );
  const clearStore = useCallback(() => setSelectedStore(null), []);
  return { tab, setTab, selectedStore, setSelectedStore, selectStore, clearStore };
}

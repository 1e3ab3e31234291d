/**
 * The Insight tab: pick a store (or click one on the map) to chart its sales, forecast and target
 * for the chosen product, forecast as the plan on screen did (its method, window, cover days and
 * service level).
 */
import { useApi } from "../api/context";
import { describeError } from "../api/errors";
import { useInsight } from "../api/queries";
import type { ForecastSettings, Store } from "../api/types";
import { SalesChart } from "./SalesChart";

interface Props {
  stores: readonly Store[];
  selectedStore: string | null;
  onSelectStore: (storeId: string | null) => void;
  productId: string | null;
  /** The plan's forecast settings; null: the service's defaults. */
  forecast: ForecastSettings | null;
}

export function InsightPanel({ stores, selectedStore, onSelectStore, productId, forecast }: Props) {
  const insight = useInsight(useApi(), selectedStore, productId, forecast);
  return (
    <div className="insight">
      <div className="toolbar">
        <label className="inline">
          <span>Store</span>
          <select
            aria-label="Store for the chart"
            value={selectedStore ?? ""}
            onChange={(e) => onSelectStore(e.target.value || null)}
          >
            <option value="">Choose a store</option>
            {stores.map((s) => (
              <option key={s.store_id} value={s.store_id}>
                {s.store_id} {s.name}
              </option>
            ))}
          </select>
        </label>
        <span className="hint">or click a store on the map; the product is the one chosen above.</span>
      </div>
      {selectedStore === null || productId === null ? (
        <p className="empty">Choose a product above and a store to see its sales, forecast and target.</p>
      ) : insight.isLoading ? (
        <p className="loading">Loading sales…</p>
      ) : insight.error ? (
        <p role="alert" className="banner error">
          {describeError(insight.error).message}
        </p>
      ) : insight.data ? (
        <SalesChart insight={insight.data} label={`${productId} at store ${selectedStore}`} />
      ) : null}
    </div>
  );
}

/**
 * The Insight tab: pick a store (or click one on the map) to chart its sales, forecast and target
 * for the chosen product, forecast as the plan on screen did (its method, window, cover days and
 * service level). A plan made with forecast auto carries each series' chosen model, mean and
 * spread: the chart shows those, with the interval, over the history the service returns.
 */
import { useApi } from "../api/context";
import { describeError } from "../api/errors";
import { useInsight } from "../api/queries";
import { withPlanTarget } from "../api/normalise";
import { type ForecastSettings, type PlanTarget, type Store, targetKey } from "../api/types";
import { SalesChart } from "./SalesChart";

interface Props {
  stores: readonly Store[];
  selectedStore: string | null;
  onSelectStore: (storeId: string | null) => void;
  productId: string | null;
  /** The plan's forecast settings; null: the service's defaults. */
  forecast: ForecastSettings | null;
  /** Forecast auto: the plan's chosen model and forecast per store and product. */
  planTargets: ReadonlyMap<string, PlanTarget> | null;
}

/** The history endpoint forecasts with the plain methods; an auto plan's own forecast replaces its moving average. */
function askedSettings(forecast: ForecastSettings | null): ForecastSettings | null {
  return forecast?.method === "auto" ? { ...forecast, method: "moving-average" } : forecast;
}

export function InsightPanel({ stores, selectedStore, onSelectStore, productId, forecast, planTargets }: Props) {
  const insight = useInsight(useApi(), selectedStore, productId, askedSettings(forecast));
  const planTarget =
    forecast?.method === "auto" && selectedStore !== null && productId !== null
      ? (planTargets?.get(targetKey(selectedStore, productId)) ?? null)
      : null;
  const shown =
    insight.data && planTarget && forecast
      ? withPlanTarget(insight.data, planTarget, forecast.cover_days)
      : insight.data;
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
      ) : shown ? (
        <SalesChart insight={shown} label={`${productId} at store ${selectedStore}`} />
      ) : null}
    </div>
  );
}

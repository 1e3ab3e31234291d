import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiContext } from "../api/context";
import type { ApiClient } from "../api/client";
import { forecastSettings, toInsight, toTargets, withPlanTarget } from "../api/normalise";
import type { ForecastSettings, PlanTarget } from "../api/types";
import { stubService, withQueries } from "../test/service";
import { InsightPanel } from "./InsightPanel";
import { store, transferLine } from "../test/factories";
import { ClusterSummary, summariseClusters } from "./ClusterSummary";
import { chartRows, forecastNote } from "./SalesChart";

const stores = [store("A", 41, -93, "0"), store("B", 41.1, -93, "0"), store("C", 44, -90, "1")];
const clusters = [
  { cluster: "0", store_ids: ["A", "B"], centroid: { lat: 41.05, lon: -93 }, radius_km: 5.6 },
  { cluster: "1", store_ids: ["C"], centroid: { lat: 44, lon: -90 }, radius_km: 0 },
];
const transfers = [transferLine(1, "P", "A", "B", 10), transferLine(2, "P", "A", "C", 4, { scope: "cross-cluster" })];
const orders = [{ product_id: "Q", store_id: "C", quantity: 6, reason: "no-source" as const }];

describe("cluster summary", () => {
  it("adds up units sent, received, received across clusters and ordered, per cluster", () => {
    const rows = summariseClusters(stores, clusters, ["0", "1"], transfers, orders);
    expect(rows).toEqual([
      { cluster: "0", stores: 2, radius_km: 5.6, sent: 14, received: 10, cross_in: 0, warehouse: 0 },
      { cluster: "1", stores: 1, radius_km: 0, sent: 0, received: 4, cross_in: 4, warehouse: 6 },
    ]);
  });

  it("renders one row per cluster", () => {
    render(
      <ClusterSummary
        stores={stores}
        clusters={clusters}
        clusterLabels={["0", "1"]}
        transfers={transfers}
        orders={orders}
      />,
    );
    expect(screen.getAllByRole("row")).toHaveLength(3);
  });
});

describe("sales chart rows", () => {
  it("puts history and forecast on one date axis, in date order", () => {
    const rows = chartRows({
      history: [
        { date: "2026-01-02", units: 3 },
        { date: "2026-01-01", units: 5 },
      ],
      forecast: [{ date: "2026-01-03", units: 4 }],
      rate: 4,
      target: 28,
      on_hand: 10,
      method: "moving-average",
      chosen: false,
      interval: null,
    });
    expect(rows).toEqual([
      { date: "2026-01-01", sales: 5 },
      { date: "2026-01-02", sales: 3 },
      { date: "2026-01-03", forecast: 4 },
    ]);
  });
});

describe("Insight panel", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("reads a plan's forecast settings from its parameters, none for a plan without them", () => {
    expect(
      forecastSettings({
        forecast: "linear-regression",
        window: 56,
        cover_days: 14,
        service_level: 0.9,
        policy: "greedy",
      }),
    ).toEqual({ method: "linear-regression", window: 56, cover_days: 14, service_level: 0.9 });
    expect(forecastSettings({ forecast: "auto", window: 28, cover_days: 7 })?.method).toBe("auto");
    expect(forecastSettings({ target: "cluster-mean" })).toBeNull();
  });

  const history = (forecast: unknown) => () =>
    [
      200,
      {
        store_id: "A",
        product_id: "P",
        on_hand: 4,
        in_transit: 0,
        history: [
          { date: "2026-01-01", units: 2 },
          { date: "2026-01-02", units: 0 },
        ],
        forecast,
      },
    ] as [number, unknown];
  const panel = (
    api: ApiClient,
    store: string | null,
    forecast: ForecastSettings | null,
    planTargets: ReadonlyMap<string, PlanTarget> | null = null,
  ) => {
    const Wrapper = withQueries();
    return render(
      <Wrapper>
        <ApiContext.Provider value={api}>
          <InsightPanel
            stores={stores}
            selectedStore={store}
            onSelectStore={vi.fn()}
            productId="P"
            forecast={forecast}
            planTargets={planTargets}
          />
        </ApiContext.Provider>
      </Wrapper>,
    );
  };
  const maForecast = {
    method: "moving-average" as const,
    window: 28,
    cover_days: 2,
    service_level: null,
    rate_per_day: 1,
    target: 2,
    daily: [
      { date: "2026-01-03", units: 1 },
      { date: "2026-01-04", units: 1 },
    ],
  };

  it("charts the forecast the plan on screen made", async () => {
    const { api, fetch } = stubService({ "GET /api/v1/stores/A/products/P/history": history(null) });
    const settings = { method: "linear-regression" as const, window: 56, cover_days: 14, service_level: 0.9 };
    panel(api, null, settings);
    expect(fetch).not.toHaveBeenCalled();
    cleanup();
    panel(api, "A", settings);
    await screen.findByRole("figure");
    const url = new URL((fetch.mock.calls[0]?.[0] as Request).url);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      method: "linear-regression",
      window: "56",
      cover_days: "14",
      service_level: "0.9",
    });
  });

  it("names the model an auto plan chose for the series, and its interval", async () => {
    const { api, fetch } = stubService({ "GET /api/v1/stores/A/products/P/history": history(maForecast) });
    const targets = toTargets([
      { product_id: "P", store_id: "A", on_hand: 4, target: 9, rate_per_day: 2.5, sigma: 2, method: "ses-optimized" },
      { product_id: "P", store_id: "B", on_hand: 1, target: 3, rate_per_day: 1, sigma: 1, method: "adida" },
    ]);
    panel(api, "A", { method: "auto", window: 28, cover_days: 2, service_level: 0.95 }, targets);
    const figure = await screen.findByRole("figure");
    expect(figure).toHaveTextContent("target 9");
    expect(figure).toHaveTextContent("2.5 a day");
    // mean 5 ± 1.2816 × 2 over the 2 cover days
    expect(figure).toHaveTextContent(
      "Forecast: ses-optimized (chosen for this series); 80% interval of the 2-day demand 2.4–7.6.",
    );
    const url = new URL((fetch.mock.calls[0]?.[0] as Request).url);
    expect(url.searchParams.get("method")).toBe("moving-average");
  });

  it("puts the interval per day on the forecast days", () => {
    const insight = withPlanTarget(
      {
        ...toInsight({ store_id: "A", product_id: "P", on_hand: 4, in_transit: 0, history: [], forecast: null }),
        forecast: maForecast.daily,
      },
      { method: "adida", rate_per_day: 1, sigma: 0, target: 2 },
      2,
    );
    expect(chartRows(insight)).toEqual([
      { date: "2026-01-03", forecast: 1, band: [1, 1] },
      { date: "2026-01-04", forecast: 1, band: [1, 1] },
    ]);
    expect(
      forecastNote(
        toInsight({
          store_id: "A",
          product_id: "P",
          on_hand: 4,
          in_transit: 0,
          history: [],
          forecast: maForecast,
        }),
      ),
    ).toBe("Forecast: moving-average.");
  });
});

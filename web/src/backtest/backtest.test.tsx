import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { afterEach, describe, expect, it, vi } from "vitest";
import { toBacktest } from "../api/backtests";
import { staleKeysFor } from "../api/events";
import type { ApiClient } from "../api/client";
import type { BacktestPolicyResult, PlanParameters } from "../api/types";
import { useBanner } from "../dashboard/useBanner";
import { Banner } from "../dashboard/Banner";
import { stubService, withQueries } from "../test/service";
import { BACKTEST_DEFAULTS } from "./BacktestForm";
import { BacktestPanel } from "./BacktestPanel";
import { useBacktestRun } from "./useBacktestRun";
import { cumulativeLost, planFromBacktest, verdict } from "./verdict";

afterEach(() => vi.unstubAllGlobals());

/** A policy's result with weekly lost sales `lost`, everything else small and fixed. */
function result(policy: string, lost: number[], unitKm = 0, pct: number | null = null): BacktestPolicyResult {
  return {
    policy,
    demand: 100 * lost.length,
    sold: 100 * lost.length - lost.reduce((a, b) => a + b, 0),
    lost: lost.reduce((a, b) => a + b, 0),
    fill_rate: 1 - lost.reduce((a, b) => a + b, 0) / (100 * lost.length),
    lost_vs_warehouse_pct: pct,
    warehouse_units: 50,
    transfer_units: policy === "warehouse" ? 0 : 30,
    transfer_lines: policy === "warehouse" ? 0 : 4,
    unit_km: unitKm,
    average_stock: 80,
    start_stock: 500,
    end_stock: 400,
    pipeline: 20,
    weeks: lost.map((l, i) => ({
      week: i + 1,
      start: `2026-01-0${i + 1}`,
      demand: 100,
      sold: 100 - l,
      lost: l,
      warehouse_units: 10,
      transfer_units: 3,
      transfer_lines: 1,
      unit_km: 2,
      average_stock: 80,
    })),
  };
}

const results = [
  result("warehouse", [10, 10]),
  result("greedy", [12, 11], 400, 15),
  result("optimal", [9, 8], 120, -15),
  result("expected-benefit", [8, 9], 60, -15),
];

describe("verdict", () => {
  it("picks the fewest lost sales, then the fewest unit-km, among planning policies", () => {
    const v = verdict(results);
    expect(v?.winner.policy).toBe("expected-benefit");
    expect(v?.baseline?.lost).toBe(20);
    expect(v?.beatsBaseline).toBe(true);
  });

  it("says so when no policy beat the warehouse alone", () => {
    const v = verdict([result("warehouse", [5]), result("greedy", [6], 10)]);
    expect(v?.winner.policy).toBe("greedy");
    expect(v?.beatsBaseline).toBe(false);
    expect(verdict([result("warehouse", [5])])).toBeNull();
  });

  it("adds lost sales up week by week for the chart", () => {
    expect(cumulativeLost(results.slice(0, 2))).toEqual([
      { week: 1, start: "2026-01-01", warehouse: 10, greedy: 12 },
      { week: 2, start: "2026-01-02", warehouse: 20, greedy: 23 },
    ]);
  });

  it("plans with the winner and the targets, limits and lead times the backtest used", () => {
    const used = {
      ...BACKTEST_DEFAULTS,
      start: "2026-01-01",
      cover_days: 14,
      window: 91,
      pack_size: 6,
      sale_value: 25,
      cost_per_line: 0,
    };
    expect(planFromBacktest("expected-benefit", used, BACKTEST_DEFAULTS)).toEqual({
      target: "forecast",
      clusters: "auto",
      forecast: "moving-average",
      window: 91,
      cover_days: 14,
      service_level: null,
      max_distance_km: null,
      max_transfers: null,
      pack_size: 6,
      min_transfer_units: 1,
      policy: "expected-benefit",
      review_days: 7,
      warehouse_lead_days: 7,
      transfer_lead_days: 1,
      sale_value: 25,
      cost_per_line: 0,
    });
    expect(planFromBacktest("optimal", used, BACKTEST_DEFAULTS)).not.toHaveProperty("review_days");
    expect(planFromBacktest("optimal", used, BACKTEST_DEFAULTS)).not.toHaveProperty("sale_value");
  });
});

describe("toBacktest", () => {
  it("reads a running backtest's progress, and a finished one's result file", () => {
    const progress = { policy: "optimal", day: 7, days: 14 };
    const running = {
      backtest_id: 3,
      status: "running" as const,
      progress,
      error: null,
      created_at: "2026-11-25T21:00:00Z",
      finished_at: null,
      result: null,
    };
    expect(toBacktest({ ...running, parameters: { policies: ["warehouse", "greedy", "optimal"] } })).toMatchObject({
      backtest_id: "3",
      status: "running",
      progress,
      fraction: 2.5 / 3,
      policies: [],
    });
    expect(toBacktest({ ...running, parameters: {} }).fraction).toBeNull();
    const done = toBacktest({
      ...running,
      status: "completed",
      progress: null,
      parameters: { weeks: 2 },
      result: {
        schema: "stockshift.backtest/1",
        parameters: { start: "2026-01-01", weeks: 2 },
        network: { stores: 3, products: 2, rows: 6, clusters: 1 },
        policies: results,
      },
    });
    expect(done.parameters.start).toBe("2026-01-01");
    expect(done.policies).toEqual(results);
  });
});

/** The tab as the dashboard mounts it: the run above it, the plan callback recorded; `live`: the event stream is up. */
function Harness({
  api,
  onPlan,
  live = false,
}: {
  api: ApiClient;
  onPlan: (p: PlanParameters) => void;
  live?: boolean;
}) {
  const banner = useBanner();
  const run = useBacktestRun(api, banner, true, live);
  return (
    <>
      <Banner notice={banner.notice} onDismiss={banner.clear} />
      <BacktestPanel run={run} onPlan={onPlan} planning={false} />
    </>
  );
}

describe("BacktestPanel", () => {
  it("follows a replay by its backtest events, without polling while the stream is up", async () => {
    let status = "running";
    const { api, fetch } = stubService({
      "GET /api/v1/backtests": () => [200, { items: [], total: 0, limit: 1, offset: 0 }],
      "POST /api/v1/backtests": () => [201, { backtest_id: 5, status: "running" }],
      "GET /api/v1/backtests/5": () => [
        200,
        status === "running"
          ? { backtest_id: 5, status, progress: { policy: "greedy", day: 7, days: 14 }, parameters: {}, result: null }
          : { backtest_id: 5, status, progress: null, result: { parameters: BACKTEST_DEFAULTS, policies: results } },
      ],
    });
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <QueryClientProvider client={client}>
        <Harness api={api} onPlan={vi.fn()} live />
      </QueryClientProvider>,
    );
    await userEvent.click(screen.getByRole("button", { name: "Run backtest" }));
    expect(await screen.findByRole("status", { name: "Backtest progress" })).toHaveTextContent("Greedy: day 7 of 14");
    const reads = () => fetch.mock.calls.filter(([r]) => new URL((r as Request).url).pathname.endsWith("/5")).length;
    await new Promise((ok) => setTimeout(ok, 1500));
    expect(reads()).toBe(1);
    status = "completed";
    const event = { backtest_id: 5, status: "completed" };
    for (const key of staleKeysFor("backtest", event)) void client.invalidateQueries({ queryKey: key });
    expect(await screen.findByRole("table", { name: "Backtest result per policy" })).toBeInTheDocument();
    expect(reads()).toBe(2);
  });

  it("runs a backtest, shows its progress (polled while the stream is down), then the verdict, and plans with the winner", async () => {
    let polls = 0;
    const { api, fetch } = stubService({
      "GET /api/v1/backtests": () => [200, { items: [], total: 0, limit: 1, offset: 0 }],
      "POST /api/v1/backtests": () => [201, { backtest_id: 5, status: "running" }],
      "GET /api/v1/backtests/5": () => {
        polls += 1;
        return polls === 1
          ? [
              200,
              {
                backtest_id: 5,
                status: "running",
                progress: { policy: "optimal", day: 3, days: 14 },
                parameters: { policies: ["warehouse", "optimal", "expected-benefit"] },
                result: null,
              },
            ]
          : [
              200,
              {
                backtest_id: 5,
                status: "completed",
                progress: null,
                result: { parameters: { ...BACKTEST_DEFAULTS, start: "2026-01-01", weeks: 2 }, policies: results },
              },
            ];
      },
    });
    const onPlan = vi.fn();
    render(<Harness api={api} onPlan={onPlan} />, { wrapper: withQueries() });
    await userEvent.clear(screen.getByLabelText("Weeks"));
    await userEvent.type(screen.getByLabelText("Weeks"), "2");
    await userEvent.click(screen.getByRole("checkbox", { name: "Greedy" }));
    await userEvent.click(screen.getByRole("button", { name: "Run backtest" }));

    expect(await screen.findByRole("status", { name: "Backtest progress" })).toHaveTextContent("Optimal: day 3 of 14");
    expect(screen.getByRole("progressbar", { name: "Share replayed" })).toHaveAttribute("value", String(17 / 42));
    const request = fetch.mock.calls.map((c) => c[0] as Request).find((r) => r.method === "POST");
    if (!request) throw new Error("no backtest was started");
    const sent = (await request.json()) as Record<string, unknown>;
    expect(sent).toMatchObject({ weeks: 2, policies: ["warehouse", "optimal", "expected-benefit"] });
    expect(sent).not.toHaveProperty("start");

    const table = await screen.findByRole("table", { name: "Backtest result per policy" }, { timeout: 3000 });
    const rows = within(table).getAllByRole("row");
    expect(rows).toHaveLength(5);
    expect(rows[4]).toHaveTextContent(/Expected benefit\s*best\s*17\s*−15 %/);
    expect(screen.getByRole("figure", { name: "Cumulative lost sales by week, per policy" })).toBeInTheDocument();
    expect(screen.getByText(/lost the fewest sales over the 2 weeks from 2026-01-01/)).toHaveTextContent(
      "17 units, moving 30 units (60 unit-km). The warehouse alone lost 20.",
    );
    await userEvent.click(screen.getByRole("button", { name: "Plan with Expected benefit" }));
    expect(onPlan).toHaveBeenCalledWith(expect.objectContaining({ policy: "expected-benefit", target: "forecast" }));
  });

  it("shows the newest backtest the service has until one is started here", async () => {
    const completed = {
      backtest_id: 2,
      status: "completed",
      progress: null,
      error: null,
      parameters: {},
      created_at: "2026-11-25T21:00:00Z",
      finished_at: "2026-11-25T21:01:00Z",
      result: { schema: "stockshift.backtest/1", parameters: BACKTEST_DEFAULTS, network: {}, policies: results },
    };
    const { api } = stubService({
      "GET /api/v1/backtests": () => [200, { items: [{ ...completed, result: null }], total: 1, limit: 1, offset: 0 }],
      "GET /api/v1/backtests/2": () => [200, completed],
    });
    render(<Harness api={api} onPlan={vi.fn()} />, { wrapper: withQueries() });
    expect(await screen.findByRole("button", { name: "Plan with Expected benefit" })).toBeEnabled();
    expect(screen.getByText(/lost the fewest sales/)).toHaveTextContent(
      "17 units, moving 30 units (60 unit-km). The warehouse alone lost 20.",
    );
  });

  it("asks for expected-benefit's economics only while it is compared, and sends those given", async () => {
    const { api, fetch } = stubService({
      "GET /api/v1/backtests": () => [200, { items: [], total: 0, limit: 1, offset: 0 }],
      "POST /api/v1/backtests": () => [201, { backtest_id: 9, status: "running" }],
      "GET /api/v1/backtests/9": () => [200, { backtest_id: 9, status: "running", progress: null, parameters: {} }],
    });
    render(<Harness api={api} onPlan={vi.fn()} />, { wrapper: withQueries() });
    expect(screen.getByLabelText("A sale earns")).toHaveAttribute("placeholder", "10");
    await userEvent.type(screen.getByLabelText("A sale earns"), "25");
    await userEvent.click(screen.getByRole("button", { name: "Run backtest" }));
    await waitFor(() => expect(fetch.mock.calls.some((c) => (c[0] as Request).method === "POST")).toBe(true));
    const post = fetch.mock.calls.map((c) => c[0] as Request).find((r) => r.method === "POST");
    const sent = (await post?.json()) as Record<string, unknown>;
    expect(sent).toMatchObject({ sale_value: 25 });
    expect(sent).not.toHaveProperty("cost_per_line");
    await userEvent.click(screen.getByRole("checkbox", { name: "Expected benefit" }));
    expect(screen.queryByLabelText("A sale earns")).not.toBeInTheDocument();
  });

  it("names a wrong field and sends nothing; says why the service refused", async () => {
    const { api, fetch } = stubService({
      "GET /api/v1/backtests": () => [200, { items: [], total: 0, limit: 1, offset: 0 }],
      "POST /api/v1/backtests": () => [
        422,
        { title: "Unprocessable", status: 422, detail: "start: no sales before 2020-01-01" },
      ],
    });
    render(<Harness api={api} onPlan={vi.fn()} />, { wrapper: withQueries() });
    await userEvent.type(screen.getByLabelText("Service level"), "95");
    await userEvent.click(screen.getByRole("button", { name: "Run backtest" }));
    expect(screen.getByText("Service level must be between 0 and 1.")).toBeInTheDocument();
    expect(fetch.mock.calls.some((c) => (c[0] as Request).method === "POST")).toBe(false);
    await userEvent.clear(screen.getByLabelText("Service level"));
    await userEvent.click(screen.getByRole("button", { name: "Run backtest" }));
    await waitFor(() => expect(screen.getByRole("alert")).toHaveTextContent("no sales before 2020-01-01"));
  });
});

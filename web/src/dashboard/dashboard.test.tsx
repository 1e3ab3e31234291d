import { act, renderHook, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { planDocument, planTotals, stubService, withQueries } from "../test/service";
import type { Transfer } from "../api/types";
import { useBanner } from "./useBanner";
import { useLineActions, usePlanActions } from "./useLineActions";
import { usePlanView } from "./usePlanView";

afterEach(() => vi.unstubAllGlobals());

const storeRows = ["501", "502", "505"].map((id, i) => ({
  store_id: id,
  name: `Store ${id}`,
  lat: 41 + i / 10,
  lon: -93,
  cluster: "0",
}));
const line = (id: number, product: string, from: string, to: string, quantity: number) => ({
  transfer_id: id,
  product_id: product,
  from_store: from,
  to_store: to,
  quantity,
  distance_km: 3,
  scope: "intra-cluster",
  status: "proposed",
});
const listing = (items: unknown[]) => [200, { items, total: items.length, offset: 0, limit: 50 }] as [number, unknown];

describe("usePlanView", () => {
  const lines8 = [line(1, "P1", "501", "502", 5), line(2, "P2", "505", "502", 9)];
  const service = (policy = "greedy") =>
    stubService({
      "GET /api/v1/plans/8/summary": () => [200, planTotals(8, lines8, { parameters: { policy } })],
      "GET /api/v1/plans/7/summary": () => [200, planTotals(7, [], { status: "failed", error: "boom" })],
      "GET /api/v1/stores": () => listing(storeRows),
      "GET /api/v1/plans": () =>
        listing([8, 7].map((id) => ({ plan_id: id, status: "completed", created_at: null, summary: null }))),
      "GET /api/v1/plans/8": () => [
        200,
        planDocument(8, {
          transfers: lines8,
          warehouse_orders: [{ product_id: "P3", store_id: "501", quantity: 4, reason: "no-source" }],
        }),
      ],
      "GET /api/v1/plans/7": () => [200, planDocument(7, { status: "failed", error: "boom" })],
      "GET /api/v1/clusters": () => [200, { clusters: [], elbow: null }],
      "GET /api/v1/inventory": () => listing([]),
    });

  it("shows the newest plan and every product it touches", async () => {
    const { api } = service();
    const { result } = renderHook(() => usePlanView(api), { wrapper: withQueries() });
    await waitFor(() => expect(result.current.transfers).toHaveLength(2));
    expect(result.current.planId).toBe("8");
    expect(result.current.planReady).toBe(true);
    expect(result.current.products).toEqual(["P1", "P2", "P3"]);
    expect(result.current.canExecute).toBe(true);
    expect(result.current.stores.map((s) => s.store_id)).toEqual(["501", "502", "505"]);
  });

  it("narrows the orders and balances to the product, and keeps the table's filter for the map", async () => {
    const { api } = service();
    const { result } = renderHook(() => usePlanView(api), { wrapper: withQueries() });
    await waitFor(() => expect(result.current.transfers).toHaveLength(2));
    act(() => result.current.showProduct("P3"));
    expect(result.current.orders.map((o) => o.store_id)).toEqual(["501"]);
    act(() => result.current.showProduct("P2"));
    expect(result.current.orders).toEqual([]);
    const filter = { text: "store 505", scope: "", status: "", store: "" };
    act(() => result.current.setTableFilter(filter));
    expect(result.current.tableFilter).toEqual(filter);
  });

  it("reads the header from the plan's summary, and knows an expected-benefit plan's lines carry a gain", async () => {
    const { api } = service("expected-benefit");
    const { result } = renderHook(() => usePlanView(api), { wrapper: withQueries() });
    await waitFor(() => expect(result.current.header?.status).toBe("completed"));
    expect(result.current.headerReady).toBe(true);
    expect(result.current.header?.policy).toBe("expected-benefit");
    expect(result.current.withGain).toBe(true);
    // the line chosen is the table's row itself: no plan document is needed to highlight it
    act(() => result.current.selectLine(lines8[1] as Transfer));
    expect(result.current.selectedLine?.quantity).toBe(9);
    expect(result.current.selectedRoute).toBe("t2");
  });

  it("asks for the whole plan document only once the plan has finished", async () => {
    let status = "running";
    const { api, fetch } = stubService({
      "GET /api/v1/stores": () => listing(storeRows),
      "GET /api/v1/plans": () => listing([{ plan_id: 8, status, created_at: null, summary: null }]),
      "GET /api/v1/plans/8/summary": () => [200, planTotals(8, lines8, { status })],
      "GET /api/v1/plans/8": () => [200, planDocument(8, { transfers: lines8 })],
      "GET /api/v1/clusters": () => [200, { clusters: [], elbow: null }],
    });
    const { result } = renderHook(() => usePlanView(api), { wrapper: withQueries() });
    await waitFor(() => expect(result.current.header?.status).toBe("running"));
    const paths = () => fetch.mock.calls.map(([r]) => new URL((r as Request).url).pathname);
    expect(paths()).not.toContain("/api/v1/plans/8");
    status = "completed";
    await waitFor(() => expect(result.current.transfers).toHaveLength(2), { timeout: 4000 });
    expect(paths()).toContain("/api/v1/plans/8");
  });

  it("lets the tables start from the plan list's entry, and asks for the document only after the summary", async () => {
    let release: () => void = () => undefined;
    const { api, fetch } = stubService({
      "GET /api/v1/stores": () => listing(storeRows),
      "GET /api/v1/plans": () => listing([{ plan_id: 8, status: "completed", created_at: null, summary: null }]),
      "GET /api/v1/plans/8/summary": () =>
        new Promise((ok) => {
          release = () => ok([200, planTotals(8, lines8)]);
        }),
      "GET /api/v1/plans/8": () => [200, planDocument(8, { transfers: lines8 })],
      "GET /api/v1/clusters": () => [200, { clusters: [], elbow: null }],
    });
    const { result } = renderHook(() => usePlanView(api), { wrapper: withQueries() });
    await waitFor(() => expect(result.current.headerReady).toBe(true));
    const paths = () => fetch.mock.calls.map(([r]) => new URL((r as Request).url).pathname);
    expect(paths()).not.toContain("/api/v1/plans/8");
    act(() => release());
    await waitFor(() => expect(result.current.transfers).toHaveLength(2));
  });

  it("forgets the chosen route when another plan is shown, and has no lines for a failed one", async () => {
    const { api } = service();
    const { result } = renderHook(() => usePlanView(api), { wrapper: withQueries() });
    await waitFor(() => expect(result.current.transfers).toHaveLength(2));
    act(() => result.current.selectLine(lines8[0] as Transfer));
    expect(result.current.selectedRoute).toBe("t1");
    act(() => result.current.showPlan("7"));
    expect(result.current.selectedRoute).toBeNull();
    await waitFor(() => expect(result.current.header?.status).toBe("failed"));
    expect(result.current.planReady).toBe(false);
    expect(result.current.headerReady).toBe(false);
    expect(result.current.transfers).toEqual([]);
    expect(result.current.canExecute).toBe(false);
  });
});

describe("useLineActions", () => {
  const hooks = (api: Parameters<typeof useLineActions>[0]) => {
    const banner = useBanner();
    return { banner, lines: useLineActions(api, banner) };
  };

  it("reports a receipt and a cancellation by transfer id", async () => {
    const { api } = stubService({
      "POST /api/v1/transfers/5/receive": () => [200, { transfer_id: 5, status: "received" }],
      "POST /api/v1/transfers/6/cancel": () => [200, { transfer_id: 6, status: "cancelled" }],
    });
    const { result } = renderHook(() => hooks(api), { wrapper: withQueries() });
    act(() => result.current.lines.receiveLine(5));
    await waitFor(() => expect(result.current.banner.notice?.title).toBe("Received"));
    expect(result.current.banner.notice).toMatchObject({
      kind: "info",
      message: "Transfer 5 is now on hand at its destination.",
    });
    act(() => result.current.lines.cancelLine(6));
    await waitFor(() => expect(result.current.banner.notice?.title).toBe("Cancelled"));
    expect(result.current.banner.notice?.message).toBe(
      "Transfer 6 is cancelled; its units are back on hand at the source.",
    );
  });

  it("marks the line under way, and says why a refused one was refused", async () => {
    let release: () => void = () => undefined;
    const { api } = stubService({
      "POST /api/v1/transfers/9/receive": () =>
        new Promise((ok) => {
          release = () => ok([409, { title: "Conflict", status: 409, detail: "Transfer 9 was received before." }]);
        }),
    });
    const { result } = renderHook(() => hooks(api), { wrapper: withQueries() });
    act(() => result.current.lines.receiveLine(9));
    await waitFor(() => expect(result.current.lines.busyLine).toBe(9));
    act(() => release());
    await waitFor(() => expect(result.current.banner.notice?.kind).toBe("error"));
    expect(result.current.banner.notice?.message).toBe("Transfer 9 was received before.");
    expect(result.current.lines.busyLine).toBeNull();
  });

  it("receives a delivery in one request and counts lines and units", async () => {
    const { api, fetch } = stubService({
      "POST /api/v1/transfers/receive": () => [200, { lines: 2, units: 12, transfer_ids: [1, 2], store_ids: ["502"] }],
    });
    const { result } = renderHook(() => hooks(api), { wrapper: withQueries() });
    act(() => result.current.lines.receiveLines([1, 2]));
    await waitFor(() =>
      expect(result.current.banner.notice?.message).toBe("2 lines (12 units) are now on hand at 502."),
    );
    expect(fetch).toHaveBeenCalledTimes(1);
  });
});

describe("usePlanActions", () => {
  const hooks = (api: Parameters<typeof usePlanActions>[0], onPlanned: (id: string) => void) => {
    const banner = useBanner();
    return { banner, actions: usePlanActions(api, banner, onPlanned) };
  };
  const params = {
    target: null,
    clusters: "auto",
    forecast: "moving-average" as const,
    window: 28,
    cover_days: 7,
    service_level: null,
    max_distance_km: null,
    max_transfers: null,
    pack_size: 1,
    min_transfer_units: 1,
    policy: "greedy" as const,
  };

  it("shows the new plan once the service accepts it, clearing the last message", async () => {
    const { api } = stubService({ "POST /api/v1/plans": () => [201, { plan_id: 12, status: "running" }] });
    const onPlanned = vi.fn();
    const { result } = renderHook(() => hooks(api, onPlanned), { wrapper: withQueries() });
    // the same functions from render to render: the memoised form and header are not drawn again
    const { runPlan, askExecute } = result.current.actions;
    act(() => result.current.banner.info("Received", "old news"));
    expect(result.current.actions.runPlan).toBe(runPlan);
    expect(result.current.actions.askExecute).toBe(askExecute);
    act(() => result.current.actions.runPlan(params));
    expect(result.current.banner.notice).toBeNull();
    await waitFor(() => expect(onPlanned).toHaveBeenCalledWith("12"));
  });

  it("closes the confirmation whether execution succeeds or is refused", async () => {
    const { api } = stubService({
      "POST /api/v1/plans/3/execute": () => [200, { lines: 2, units: 1200 }],
      "POST /api/v1/plans/4/execute": () => [409, { title: "Conflict", status: 409, detail: "Stock has moved." }],
    });
    const { result } = renderHook(() => hooks(api, vi.fn()), { wrapper: withQueries() });
    act(() => result.current.actions.askExecute());
    expect(result.current.actions.confirming).toBe(true);
    act(() => result.current.actions.execute("3"));
    await waitFor(() => expect(result.current.banner.notice?.title).toBe("Plan executed"));
    expect(result.current.banner.notice?.message).toBe(
      "2 lines dispatched, 1,200 units in transit; receive them as they arrive.",
    );
    expect(result.current.actions.confirming).toBe(false);
    act(() => result.current.actions.askExecute());
    act(() => result.current.actions.execute("4"));
    await waitFor(() => expect(result.current.banner.notice?.kind).toBe("error"));
    expect(result.current.actions.confirming).toBe(false);
  });
});

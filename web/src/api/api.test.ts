import { afterEach, describe, expect, it, vi } from "vitest";
import { eventStreamUrl, staleKeysFor } from "./events";
import { ApiError, describeError, toProblem } from "./errors";
import { toInsight, toPlan } from "./normalise";
import { makeClient } from "./client";
import { allPages, fetchInsight, receiveTransfers } from "./service";

describe("describeError", () => {
  it("explains a 403 in terms of roles", () => {
    const e = new ApiError(403, { status: 403, detail: "this needs the planner role; the key's role is viewer" });
    const d = describeError(e);
    expect(d.title).toBe("Not allowed for your role");
    expect(d.message).toBe(
      "This needs the planner role; the key's role is viewer. Planning, executing and receiving need a planner or admin key: ask an admin for one.",
    );
  });

  it("says that nothing changed on a 409", () => {
    const d = describeError(new ApiError(409, { status: 409, detail: "Plan 3 was executed before." }));
    expect(d.title).toContain("nothing was changed");
    expect(d.message).toBe("Plan 3 was executed before.");
    expect(describeError(new ApiError(409, {})).message).toContain("Run a new plan");
  });

  it("reads FastAPI validation errors field by field", () => {
    const p = toProblem(422, { detail: [{ loc: ["body", "pack_size"], msg: "must be at least 1" }] });
    expect(p.detail).toBe("pack_size: must be at least 1");
  });

  it("treats a network failure as an unreachable service", () => {
    expect(describeError(new TypeError("Failed to fetch")).title).toBe("Service unreachable");
  });
});

describe("normalise", () => {
  it("maps a plan document with string ids", () => {
    const plan = toPlan({
      plan_id: 7,
      status: "completed",
      progress: null,
      error: null,
      parameters: {},
      created_at: "2026-11-25T10:00:00Z",
      finished_at: null,
      executed_at: null,
      schema: "stockshift.plan/1",
      stores: [{ store_id: "501", name: "A", lat: 1, lon: 2, cluster: "0" }],
      transfers: [
        {
          transfer_id: 4,
          product_id: "P",
          from_store: "505",
          to_store: "502",
          quantity: 63,
          distance_km: 3.2,
          scope: "intra-cluster",
          status: "proposed",
        },
      ],
      fulfilment: [],
      warehouse_orders: [],
      warnings: [],
      clusters: [{ cluster: "0", store_ids: ["501"], centroid: { lat: 1, lon: 2 }, radius_km: 0 }],
      summary: null,
      elbow: { k: [1, 2], wcss: [5, 1], chosen_k: 2 },
    });
    expect(plan.plan_id).toBe("7");
    expect(plan.transfers[0]).toMatchObject({ transfer_id: 4, quantity: 63, scope: "intra-cluster" });
    expect(plan.elbow?.chosen_k).toBe(2);
    expect(plan.stores[0]?.cluster).toBe("0");
  });

  it("takes rate and target from the forecast, and none without sales", () => {
    const base = {
      store_id: "1",
      product_id: "P",
      on_hand: 5,
      in_transit: 0,
      history: [{ date: "2026-01-01", units: 2 }],
    };
    expect(toInsight({ ...base, forecast: null })).toMatchObject({
      rate: null,
      target: null,
      forecast: [],
      on_hand: 5,
    });
    const f = {
      method: "moving-average" as const,
      window: 28,
      cover_days: 7,
      service_level: null,
      rate_per_day: 2,
      target: 14,
      daily: [{ date: "2026-01-02", units: 2 }],
    };
    expect(toInsight({ ...base, forecast: f })).toMatchObject({ rate: 2, target: 14, forecast: f.daily });
  });
});

describe("allPages", () => {
  it("follows the pages until the total has arrived", async () => {
    const data = Array.from({ length: 25_000 }, (_, i) => i);
    const offsets: number[] = [];
    const rows = await allPages(async (offset, limit) => {
      offsets.push(offset);
      return { items: data.slice(offset, offset + limit), total: data.length };
    });
    expect(rows).toHaveLength(25_000);
    expect(offsets).toEqual([0, 10_000, 20_000]);
  });
});

describe("staleKeysFor", () => {
  it("refreshes a backtest and the list when its event names it", () => {
    expect(staleKeysFor("backtest", { backtest_id: 5, status: "running" })).toEqual([["backtest", "5"], ["backtests"]]);
  });

  it("refreshes one plan when its event names it", () => {
    expect(staleKeysFor("plan.completed", { plan_id: 3 })).toEqual([["plans"], ["plan", "3"]]);
  });

  it("refreshes stock, and the plan whose lines moved, when stock moves", () => {
    const keys = staleKeysFor("stock", { reason: "receive", plan_id: 3, transfer_id: 9 });
    expect(keys).toContainEqual(["stock"]);
    expect(keys).toContainEqual(["plan", "3"]);
    expect(keys).not.toContainEqual(["plans"]);
  });
});

describe("receiveTransfers", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("receives a delivery in one request to the bulk endpoint", async () => {
    const requests: Request[] = [];
    vi.stubGlobal("fetch", async (request: Request) => {
      requests.push(request);
      const body = { lines: 3, units: 21, transfer_ids: [4, 5, 6], store_ids: ["S12"] };
      return new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
    });
    const done = await receiveTransfers(makeClient("ssk_k", "http://service.test"), [4, 5, 6]);
    expect(done).toMatchObject({ lines: 3, units: 21, store_ids: ["S12"] });
    expect(requests).toHaveLength(1);
    expect(new URL(requests[0]?.url ?? "").pathname).toBe("/api/v1/transfers/receive");
    expect(await requests[0]?.json()).toEqual({ transfer_ids: [4, 5, 6] });
  });
});

describe("eventStreamUrl", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("opens the stream with a fresh event token, never with the key", async () => {
    const requests: Request[] = [];
    vi.stubGlobal("fetch", async (request: Request) => {
      requests.push(request);
      const body = { token: "sse_4_1900000000_ab12", expires_at: "2030-01-01T00:00:00Z", expires_in: 300 };
      return new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
    });
    const url = await eventStreamUrl("ssk_secret", "http://service.test");
    expect(url).toBe("http://service.test/api/v1/events?token=sse_4_1900000000_ab12");
    expect(url).not.toContain("ssk_secret");
    expect(requests).toHaveLength(1);
    expect(requests[0]?.method).toBe("POST");
    expect(new URL(requests[0]?.url ?? "").pathname).toBe("/api/v1/events/token");
    expect(requests[0]?.headers.get("Authorization")).toBe("Bearer ssk_secret");
  });
});

/** Answer every request with `body` as JSON, keeping the requests in `requests`. */
function answerWith(requests: Request[], body: unknown): void {
  vi.stubGlobal("fetch", async (request: Request) => {
    requests.push(request);
    return new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
  });
}

describe("fetchInsight", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("asks for forecast auto and shows the model chosen for the series and its interval", async () => {
    const requests: Request[] = [];
    answerWith(requests, {
      store_id: "S1",
      product_id: "P1",
      on_hand: 4,
      in_transit: 0,
      history: [{ date: "2024-03-31", units: 2 }],
      forecast: {
        method: "auto",
        window: 28,
        cover_days: 7,
        service_level: 0.9,
        rate_per_day: 2,
        target: 19,
        daily: [{ date: "2024-04-01", units: 2 }],
        chosen_method: "moving-average-182",
        sigma: 3.74,
        interval: { level: 0.8, low: 9.2, high: 18.8 },
      },
    });
    const settings = { method: "auto" as const, window: 28, cover_days: 7, service_level: 0.9 };
    const insight = await fetchInsight(makeClient("ssk_k", "http://service.test"), "S1", "P1", settings);
    expect(new URL(requests[0]?.url ?? "").searchParams.get("method")).toBe("auto");
    expect(insight).toMatchObject({
      method: "moving-average-182",
      chosen: true,
      rate: 2,
      target: 19,
      interval: { level: 0.8, low: 9.2, high: 18.8 },
    });
  });

  it("keeps the asked method without an interval for the moving average", async () => {
    const forecast = { method: "moving-average", window: 28, cover_days: 7, service_level: null };
    answerWith([], {
      store_id: "S1",
      product_id: "P1",
      on_hand: 4,
      in_transit: 0,
      history: [],
      forecast: { ...forecast, rate_per_day: 1, target: 7, daily: [] },
    });
    const insight = await fetchInsight(makeClient("ssk_k", "http://service.test"), "S1", "P1");
    expect(insight).toMatchObject({ method: "moving-average", chosen: false, interval: null });
  });
});

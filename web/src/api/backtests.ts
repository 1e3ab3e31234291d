/**
 * Backtests on the data in the service's database (SPEC section 10): start one with
 * POST /api/v1/backtests, follow it with GET /api/v1/backtests/{backtest_id} until it finishes.
 */
import { type ApiClient, unwrap } from "./client";
import type { components } from "./schema";
import type { Backtest, BacktestParameters } from "./types";

type Schemas = components["schemas"];

/**
 * How far a running backtest has got: the service reports the policy being replayed and its
 * day; policies run one after the other in the order asked, so the share done is over all of them.
 */
function fraction(progress: Schemas["BacktestProgress"] | null, policies: unknown): number | null {
  if (progress === null || progress.days <= 0) return null;
  const order = Array.isArray(policies) ? policies.map(String) : [];
  const index = order.indexOf(progress.policy);
  if (index < 0) return null;
  return Math.min(1, (index * progress.days + progress.day) / (order.length * progress.days));
}

/** The service's answer (GET /api/v1/backtests/{id}) as the dashboard's Backtest. */
export function toBacktest(raw: Schemas["BacktestPublic"]): Backtest {
  const parameters = { ...raw.parameters, ...(raw.result?.parameters ?? {}) } as Backtest["parameters"];
  return {
    backtest_id: String(raw.backtest_id),
    status: raw.status,
    progress: raw.progress,
    fraction: fraction(raw.progress, parameters.policies),
    error: raw.error,
    parameters,
    policies: raw.result?.policies ?? [],
  };
}

export async function createBacktest(api: ApiClient, params: BacktestParameters): Promise<string> {
  const { start, ...rest } = params;
  // The generated type marks every field with a default as required; those left out (the
  // economics, a start) take the service's defaults.
  const body = { ...rest, ...(start === null ? {} : { start }), seed: 0 } as Schemas["BacktestCreate"];
  const created = await unwrap(api.POST("/api/v1/backtests", { body }));
  return String(created.backtest_id);
}

export async function fetchBacktest(api: ApiClient, backtestId: string): Promise<Backtest> {
  const raw = await unwrap(
    api.GET("/api/v1/backtests/{backtest_id}", { params: { path: { backtest_id: Number(backtestId) } } }),
  );
  return toBacktest(raw);
}

/** The newest backtest's id, so the tab shows the last result after a reload; null when none was run. */
export async function fetchLatestBacktestId(api: ApiClient): Promise<string | null> {
  const page = await unwrap(api.GET("/api/v1/backtests", { params: { query: { limit: 1 } } }));
  const newest = page.items[0];
  return newest ? String(newest.backtest_id) : null;
}

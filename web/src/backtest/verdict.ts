/**
 * Reading a backtest: which planning policy did best (fewest lost sales, then fewest unit-km),
 * whether it beat warehouse replenishment alone, the chart's series, and the plan that repeats
 * the winner on today's stock with the settings the backtest used.
 */
import type { BacktestParameters, BacktestPolicyResult, PlanParameters, Policy } from "../api/types";
import { POLICIES } from "../plan/choices";

export const BASELINE = "warehouse";

const isPolicy = (id: string): id is Policy => POLICIES.some((p) => p.id === id);

export interface Verdict {
  winner: BacktestPolicyResult & { policy: Policy };
  baseline: BacktestPolicyResult | null;
  /** True when the winner lost fewer sales than warehouse replenishment alone. */
  beatsBaseline: boolean;
}

/** The planning policy with the fewest lost sales (ties: fewer unit-km); null when none was replayed. */
export function verdict(results: readonly BacktestPolicyResult[]): Verdict | null {
  let winner: Verdict["winner"] | null = null;
  for (const r of results) {
    if (!isPolicy(r.policy)) continue;
    if (winner === null || r.lost < winner.lost || (r.lost === winner.lost && r.unit_km < winner.unit_km)) {
      winner = { ...r, policy: r.policy };
    }
  }
  if (winner === null) return null;
  const baseline = results.find((r) => r.policy === BASELINE) ?? null;
  return { winner, baseline, beatsBaseline: baseline === null || winner.lost < baseline.lost };
}

/** One row per week: each policy's lost sales summed from the first week to that one. */
export function cumulativeLost(results: readonly BacktestPolicyResult[]): Record<string, number | string>[] {
  const rows = new Map<number, Record<string, number | string>>();
  for (const r of results) {
    let total = 0;
    for (const w of r.weeks) {
      total += w.lost;
      const row = rows.get(w.week) ?? { week: w.week, start: w.start };
      row[r.policy] = total;
      rows.set(w.week, row);
    }
  }
  return [...rows.values()].sort((a, b) => Number(a.week) - Number(b.week));
}

const ECONOMICS = ["sale_value", "cost_per_unit_km", "cost_per_line", "min_benefit"] as const;

/** The economics the replay priced moves with, where its result names them. */
function economics(used: Record<string, unknown>): Partial<Record<(typeof ECONOMICS)[number], number>> {
  return Object.fromEntries(ECONOMICS.flatMap((k) => (typeof used[k] === "number" ? [[k, used[k]]] : [])));
}

function horizons(p: BacktestParameters) {
  return {
    review_days: p.review_days,
    warehouse_lead_days: p.warehouse_lead_days,
    transfer_lead_days: p.transfer_lead_days,
  };
}

/** The plan that repeats `policy` on today's stock with the targets and limits the backtest used. */
export function planFromBacktest(
  policy: Policy,
  used: Partial<BacktestParameters> & Record<string, unknown>,
  asked: BacktestParameters,
): PlanParameters {
  const p = { ...asked, ...used };
  return {
    target: "forecast",
    clusters: String(p.clusters),
    forecast: p.forecast,
    window: p.window,
    cover_days: p.cover_days,
    service_level: p.service_level ?? null,
    max_distance_km: p.max_distance_km ?? null,
    max_transfers: null,
    pack_size: p.pack_size,
    min_transfer_units: p.min_transfer_units,
    policy,
    ...(policy === "expected-benefit" ? { ...economics(used), ...horizons(p) } : {}),
  };
}

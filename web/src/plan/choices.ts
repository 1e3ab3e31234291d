/**
 * The planners and forecast methods a planner can choose, each with the one line that says
 * what it does (SPEC sections 3 and 9). The plan form and the backtest tab share them.
 */
import type { ForecastKind, Policy } from "../api/types";

export const POLICIES: readonly { id: Policy; name: string; line: string }[] = [
  {
    id: "greedy",
    name: "Greedy",
    line: "The paper's rule: every unit above target goes to the nearest store below it.",
  },
  {
    id: "optimal",
    name: "Optimal",
    line: "The same surplus and need, moved as far as the limits allow with the fewest unit-km.",
  },
  {
    id: "expected-benefit",
    name: "Expected benefit",
    line: "Moves a unit only where it is expected to sell more than where it is, net of the move's cost.",
  },
];

export const FORECASTS: readonly { id: ForecastKind; name: string; line: string }[] = [
  { id: "moving-average", name: "Moving average", line: "the mean daily sales of the window" },
  { id: "linear-regression", name: "Linear regression", line: "the window's trend line over the cover days" },
  { id: "auto", name: "Auto", line: "per series, the method that forecast its own history best" },
];

export function policyName(id: string): string {
  return POLICIES.find((p) => p.id === id)?.name ?? (id === "warehouse" ? "Warehouse only" : id);
}

/** The service's defaults for expected-benefit's economics (web/openapi.json), shown as placeholders. */
export const ECONOMIC_DEFAULTS = { sale_value: 10, cost_per_unit_km: 0.01, cost_per_line: 2, min_benefit: 0 } as const;

/** Expected-benefit's economics as the forms ask for them: label, hint and the message naming a wrong value. */
export const ECONOMICS = [
  { key: "sale_value", label: "A sale earns", hint: "money per extra sale", name: "What a sale earns" },
  { key: "cost_per_unit_km", label: "A unit-km costs", hint: "moving 1 unit 1 km", name: "Cost of a unit-km" },
  { key: "cost_per_line", label: "A line costs", hint: "fixed, per line", name: "Cost of a line" },
  { key: "min_benefit", label: "Least net benefit", hint: "per unit, beyond its costs", name: "Least net benefit" },
] as const;

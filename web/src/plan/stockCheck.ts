/**
 * Whether the plan on screen still fits the stock (GET /api/v1/plans/{id}/stock-check): the
 * stock changes since it was made and the sources that now hold less than its lines take. Kept
 * under the ["stock"] query key, so every stock event and every dispatch, receipt or
 * cancellation asks again.
 */
import { useQuery } from "@tanstack/react-query";
import { type ApiClient, unwrap } from "../api/client";
import type { components } from "../api/schema";
import { fmtDateTime, fmtInt } from "../lib/format";

export type StockCheck = components["schemas"]["PlanStockCheck"];

export function usePlanStockCheck(api: ApiClient, planId: string | null, enabled: boolean) {
  return useQuery({
    queryKey: ["stock", "plan-check", planId],
    queryFn: () =>
      unwrap(api.GET("/api/v1/plans/{plan_id}/stock-check", { params: { path: { plan_id: Number(planId) } } })),
    enabled: enabled && planId !== null,
  });
}

const SHORT_NAMED = 3;

/** What the planner is told before executing, or null when the stock has not moved. */
export function stockWarning(check: StockCheck): { severity: "refused" | "moved"; text: string } | null {
  if (check.short_count > 0) {
    const named = check.short
      .slice(0, SHORT_NAMED)
      .map(
        (s) => `store ${s.store_id} holds ${fmtInt(s.on_hand)} of ${s.product_id}, its lines take ${fmtInt(s.needed)}`,
      )
      .join("; ");
    const more = check.short_count > SHORT_NAMED ? ` and ${fmtInt(check.short_count - SHORT_NAMED)} more` : "";
    return {
      severity: "refused",
      text:
        `The stock moved since this plan was made and executing it would be refused: ${named}${more}. ` +
        "Make a new plan on the stock as it is now.",
    };
  }
  if (!check.stale) return null;
  const count = check.more ? `over ${fmtInt(check.changes)}` : fmtInt(check.changes);
  const last = check.last_change_at ? `, the last at ${fmtDateTime(check.last_change_at)}` : "";
  return {
    severity: "moved",
    text:
      `The stock moved since this plan was made (${count} change${check.changes === 1 ? "" : "s"}${last}). ` +
      "Its lines still fit the stock, but a new plan would use what is there now.",
  };
}

/** The plan on screen: loading, running (with the service's progress), failed (with its reason), or its KPIs and the execute button. */
import type { PlanHeader } from "../api/types";
import { policyName } from "./choices";
import { Kpis } from "./Kpis";

interface Props {
  planId: string | null;
  plan: PlanHeader | undefined;
  canExecute: boolean;
  onExecute: () => void;
}

export function PlanStatus({ planId, plan, canExecute, onExecute }: Props) {
  if (planId === null) return <p className="empty">No plan yet: set the parameters above and run one.</p>;
  if (!plan) return <p className="loading">Loading plan…</p>;
  if (plan.status === "running") {
    return (
      <div className="progress" role="status" aria-live="polite">
        <span className="spinner" aria-hidden="true" /> Planning… {plan.progress ?? ""}
      </div>
    );
  }
  if (plan.status === "failed") {
    return (
      <div role="alert" className="banner error">
        <strong>The plan failed.</strong> {plan.error ?? "No reason was recorded."}
      </div>
    );
  }
  return (
    <>
      <p className="plan-status">
        Status: <strong>{plan.status}</strong>
        {plan.policy && (
          <>
            {" · "}policy <strong>{policyName(plan.policy)}</strong>
          </>
        )}
      </p>
      {plan.summary && <Kpis summary={plan.summary} />}
      <button type="button" className="danger" disabled={!canExecute} onClick={onExecute}>
        Execute plan…
      </button>
      {plan.status === "executed" && (
        <p className="hint">Executed: receive lines in the transfers table as they arrive.</p>
      )}
    </>
  );
}

/** The plan on screen: loading, running (with the service's progress), failed (with its reason), or its KPIs and the execute button. */
import type { PlanHeader } from "../api/types";
import { Kpis } from "./Kpis";
import { planSettings } from "./settings";
import type { StockCheck } from "./stockCheck";
import { StockWarning } from "./StockWarning";

interface Props {
  planId: string | null;
  plan: PlanHeader | undefined;
  canExecute: boolean;
  /** Why Execute is disabled when the plan could otherwise be executed (a viewer key). */
  executeNote?: string | null;
  /** Whether the stock moved since the plan was made (completed plans). */
  stockCheck?: StockCheck;
  onExecute: () => void;
}

export function PlanStatus({ planId, plan, canExecute, executeNote = null, stockCheck, onExecute }: Props) {
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
      </p>
      <PlanSettings parameters={plan.parameters} />
      {plan.summary && <Kpis summary={plan.summary} />}
      {plan.status === "completed" && <StockWarning check={stockCheck} id="stock-warning" />}
      <button
        type="button"
        className="danger"
        disabled={!canExecute || executeNote !== null}
        aria-describedby={executeNote ? "execute-note" : undefined}
        onClick={onExecute}
      >
        Execute plan…
      </button>
      {executeNote && plan.status === "completed" && (
        <p className="hint role-note" id="execute-note">
          {executeNote}
        </p>
      )}
      {plan.status === "executed" && (
        <p className="hint">Executed: receive lines in the transfers table as they arrive.</p>
      )}
    </>
  );
}

/** The settings the plan was made with, so that two plans can be told apart and compared. */
export function PlanSettings({ parameters }: { parameters: PlanHeader["parameters"] }) {
  const settings = planSettings(parameters);
  if (settings.length === 0) return null;
  return (
    <dl className="plan-settings" aria-label="Plan settings">
      {settings.map((s) => (
        <div key={s.key}>
          <dt>{s.label}</dt>
          <dd>{s.value}</dd>
        </div>
      ))}
    </dl>
  );
}

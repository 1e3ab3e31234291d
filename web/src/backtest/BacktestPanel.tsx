/**
 * The Backtest tab: replay the sales history in the database under each policy, watch it run,
 * compare lost sales week by week and the figures per policy, then plan today's stock with the
 * policy that did best — one click.
 */
import type { PlanParameters } from "../api/types";
import { describeError } from "../api/errors";
import { fmtInt } from "../lib/format";
import { policyName } from "../plan/choices";
import { BACKTEST_DEFAULTS, BacktestForm } from "./BacktestForm";
import { BacktestTable } from "./BacktestTable";
import { LostSalesChart } from "./LostSalesChart";
import type { BacktestRun } from "./useBacktestRun";
import { type Verdict, planFromBacktest, verdict } from "./verdict";

interface Props {
  run: BacktestRun;
  /** Plan today's stock with these parameters (the winner's policy). */
  onPlan: (params: PlanParameters) => void;
  planning: boolean;
}

/** How the winner compares with replenishing from the warehouse alone. */
function againstBaseline(v: Verdict): string {
  if (!v.baseline) return "";
  if (v.beatsBaseline) return ` The warehouse alone lost ${fmtInt(v.baseline.lost)}.`;
  return ` The warehouse alone lost fewer (${fmtInt(v.baseline.lost)}): moving stock did not pay on this history.`;
}

function Outcome({ run, onPlan, planning }: Props) {
  const b = run.backtest;
  if (run.loadError)
    return (
      <p className="banner error" role="alert">
        {describeError(run.loadError).message}
      </p>
    );
  if (run.backtestId === null) {
    return (
      <p className="empty">
        Replays the sales in the database week by week under each policy, to see which would have sold more.
      </p>
    );
  }
  if (!b) return <p className="loading">Starting the backtest…</p>;
  if (b.status === "running") {
    return (
      <div className="progress" role="status" aria-live="polite" aria-label="Backtest progress">
        <span className="spinner" aria-hidden="true" />
        Replaying…{" "}
        {b.progress && `${policyName(b.progress.policy)}: day ${fmtInt(b.progress.day)} of ${fmtInt(b.progress.days)}`}
        {b.fraction !== null && <progress max={1} value={b.fraction} aria-label="Share replayed" />}
      </div>
    );
  }
  if (b.status === "failed") {
    return (
      <div role="alert" className="banner error">
        <strong>The backtest failed.</strong> {b.error ?? "No reason was recorded."}
      </div>
    );
  }
  const v = verdict(b.policies);
  const asked = run.asked ?? BACKTEST_DEFAULTS;
  const start = typeof b.parameters.start === "string" ? b.parameters.start : asked.start;
  const weeks = typeof b.parameters.weeks === "number" ? b.parameters.weeks : asked.weeks;
  return (
    <div className="backtest-result">
      {v && (
        <div className="verdict">
          <p>
            <strong>{policyName(v.winner.policy)}</strong> lost the fewest sales
            {start ? ` over the ${weeks} weeks from ${start}` : ""}: {fmtInt(v.winner.lost)} units, moving{" "}
            {fmtInt(v.winner.transfer_units)} units ({fmtInt(v.winner.unit_km)} unit-km).
            {againstBaseline(v)}
          </p>
          <button
            type="button"
            className="primary"
            disabled={planning}
            onClick={() => onPlan(planFromBacktest(v.winner.policy, b.parameters, asked))}
          >
            {planning ? "Planning…" : `Plan with ${policyName(v.winner.policy)}`}
          </button>
        </div>
      )}
      <div className="backtest-figures">
        <LostSalesChart results={b.policies} />
        <BacktestTable results={b.policies} winner={v?.winner.policy ?? null} />
      </div>
    </div>
  );
}

export function BacktestPanel(props: Props) {
  const { run } = props;
  const running = run.starting || run.backtest?.status === "running";
  return (
    <section className="backtest" aria-label="Backtest">
      <BacktestForm initial={run.asked} busy={running} onSubmit={run.start} />
      <Outcome {...props} />
    </section>
  );
}

/** The backtest's figures per policy (SPEC section 10), the winner marked. */
import type { BacktestPolicyResult } from "../api/types";
import { fmtDecimal, fmtInt, fmtPercent } from "../lib/format";
import { policyName } from "../plan/choices";

function change(pct: number | null, policy: string): string {
  if (policy === "warehouse") return "baseline";
  if (pct === null) return "n/a";
  return `${pct > 0 ? "+" : pct < 0 ? "−" : ""}${fmtDecimal(Math.abs(pct))} %`;
}

export function BacktestTable({
  results,
  winner,
}: {
  results: readonly BacktestPolicyResult[];
  winner: string | null;
}) {
  return (
    <table className="data backtest-table" aria-label="Backtest result per policy">
      <thead>
        <tr>
          <th scope="col">Policy</th>
          <th scope="col" className="num">
            Lost sales
          </th>
          <th scope="col" className="num">
            vs warehouse
          </th>
          <th scope="col" className="num">
            Fill rate
          </th>
          <th scope="col" className="num">
            Average stock
          </th>
          <th scope="col" className="num">
            Warehouse units
          </th>
          <th scope="col" className="num">
            Transfer units
          </th>
          <th scope="col" className="num">
            Lines
          </th>
          <th scope="col" className="num">
            Unit-km
          </th>
        </tr>
      </thead>
      <tbody>
        {results.map((r) => (
          <tr key={r.policy} className={r.policy === winner ? "winner" : undefined}>
            <th scope="row">
              {policyName(r.policy)}
              {r.policy === winner && <span className="tag winner-tag">best</span>}
            </th>
            <td className="num">{fmtInt(r.lost)}</td>
            <td className="num">{change(r.lost_vs_warehouse_pct, r.policy)}</td>
            <td className="num">{r.fill_rate === null ? "n/a" : fmtPercent(r.fill_rate)}</td>
            <td className="num">{fmtInt(r.average_stock)}</td>
            <td className="num">{fmtInt(r.warehouse_units)}</td>
            <td className="num">{fmtInt(r.transfer_units)}</td>
            <td className="num">{fmtInt(r.transfer_lines)}</td>
            <td className="num">{fmtDecimal(r.unit_km)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

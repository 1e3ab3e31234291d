/** The plan's headline numbers. Share of need met: units moved over all need (moved + ordered from the warehouse). */
import type { PlanSummary } from "../api/types";
import { fmtDecimal, fmtInt, fmtPercent } from "../lib/format";

export function needShare(summary: PlanSummary): number | null {
  const need = summary.need_units;
  return need > 0 ? summary.units_moved / need : null;
}

export function Kpis({ summary }: { summary: PlanSummary }) {
  const share = needShare(summary);
  const items: [string, string][] = [
    ["Transfer lines", fmtInt(summary.transfers)],
    ["Units moved", fmtInt(summary.units_moved)],
    ["Unit-km", fmtDecimal(summary.unit_km)],
    ["Warehouse units", fmtInt(summary.warehouse_units)],
    ["Need met by transfers", share === null ? "no need" : fmtPercent(share)],
  ];
  return (
    <dl className="kpis" aria-label="Plan summary">
      {items.map(([label, value]) => (
        <div key={label} className="kpi">
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

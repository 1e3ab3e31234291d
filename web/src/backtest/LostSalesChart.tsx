/** Cumulative lost sales by week, one line per policy: the lower the line, the more it sold. */
import { useMemo } from "react";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { BacktestPolicyResult } from "../api/types";
import { fmtInt } from "../lib/format";
import { policyName } from "../plan/choices";
import { POLICY_COLOURS } from "../lib/palette";
import { cumulativeLost } from "./verdict";

export function LostSalesChart({ results }: { results: readonly BacktestPolicyResult[] }) {
  const rows = useMemo(() => cumulativeLost(results), [results]);
  return (
    <figure className="chart" aria-label="Cumulative lost sales by week, per policy">
      <figcaption>Lost sales, cumulative by week (units)</figcaption>
      <ResponsiveContainer width="100%" height={260}>
        <LineChart data={rows} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#ddd" />
          <XAxis
            dataKey="week"
            tick={{ fontSize: 11 }}
            label={{ value: "week", position: "insideBottomRight", offset: -4, fontSize: 11 }}
          />
          <YAxis tick={{ fontSize: 11 }} tickFormatter={(v: number) => fmtInt(v)} />
          <Tooltip formatter={(v) => fmtInt(Number(v))} labelFormatter={(w) => `week ${String(w)}`} />
          <Legend />
          {results.map((r) => (
            <Line
              key={r.policy}
              dataKey={r.policy}
              name={policyName(r.policy)}
              stroke={POLICY_COLOURS[r.policy] ?? "#999999"}
              strokeWidth={2}
              strokeDasharray={r.policy === "warehouse" ? "6 3" : undefined}
              dot={{ r: 3 }}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

/**
 * One store and product: daily sales (bars), the forecast rate over the cover days (line), and on
 * a second axis the stock target and what the store holds, so a planner sees why it is short.
 */
import { useMemo } from "react";
import {
  Bar,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import type { StoreProductInsight } from "../api/types";
import { fmtDecimal } from "../lib/format";
import { BALANCE_COLOURS } from "../lib/palette";

interface ChartRow {
  date: string;
  sales?: number;
  forecast?: number;
}

export function chartRows(insight: StoreProductInsight): ChartRow[] {
  const rows = new Map<string, ChartRow>();
  for (const p of insight.history) rows.set(p.date, { date: p.date, sales: p.units });
  for (const p of insight.forecast) rows.set(p.date, { ...(rows.get(p.date) ?? { date: p.date }), forecast: p.units });
  return [...rows.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

export function SalesChart({ insight, label }: { insight: StoreProductInsight; label: string }) {
  const rows = useMemo(() => chartRows(insight), [insight]);
  if (rows.length === 0) return <p className="empty">No sales recorded for {label}.</p>;
  return (
    <figure className="chart" aria-label={`Sales history and forecast for ${label}`}>
      <figcaption>
        {label}: daily sales, forecast{insight.rate !== null ? ` (${fmtDecimal(insight.rate)} a day)` : ""}
        {insight.target !== null ? `, target ${fmtDecimal(insight.target)}` : ""}
        {insight.on_hand !== null ? `, on hand ${fmtDecimal(insight.on_hand)}` : ""}
      </figcaption>
      <ResponsiveContainer width="100%" height={260}>
        <ComposedChart data={rows} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#ddd" />
          <XAxis dataKey="date" minTickGap={32} tick={{ fontSize: 11 }} />
          <YAxis
            yAxisId="units"
            tick={{ fontSize: 11 }}
            label={{ value: "units / day", angle: -90, position: "insideLeft", fontSize: 11 }}
          />
          <YAxis
            yAxisId="stock"
            orientation="right"
            tick={{ fontSize: 11 }}
            label={{ value: "stock", angle: 90, position: "insideRight", fontSize: 11 }}
          />
          <Tooltip />
          <Legend />
          <Bar yAxisId="units" dataKey="sales" name="Sales" fill="#56B4E9" isAnimationActive={false} />
          <Line
            yAxisId="units"
            dataKey="forecast"
            name="Forecast"
            stroke="#E69F00"
            strokeWidth={2}
            strokeDasharray="6 3"
            dot={false}
            isAnimationActive={false}
          />
          {insight.target !== null && (
            <ReferenceLine
              ifOverflow="extendDomain"
              yAxisId="stock"
              y={insight.target}
              stroke={BALANCE_COLOURS.deficit}
              strokeDasharray="4 2"
              label={{ value: "target", fontSize: 11, position: "insideTopRight" }}
            />
          )}
          {insight.on_hand !== null && (
            <ReferenceLine
              ifOverflow="extendDomain"
              yAxisId="stock"
              y={insight.on_hand}
              stroke={BALANCE_COLOURS.surplus}
              label={{ value: "on hand", fontSize: 11, position: "insideBottomRight" }}
            />
          )}
        </ComposedChart>
      </ResponsiveContainer>
    </figure>
  );
}

/**
 * One store and product: daily sales (bars), the forecast rate over the cover days (line) with,
 * when the forecast has a spread, its interval as a band (the cover days' demand interval spread
 * evenly over the days), and on a second axis the stock target and what the store holds, so a
 * planner sees why it is short. The caption names the forecast's method, and says when it was
 * chosen for this series (forecast auto).
 */
import { useMemo } from "react";
import {
  Area,
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
import { fmtDecimal, fmtPercent } from "../lib/format";
import { BALANCE_COLOURS } from "../lib/palette";

interface ChartRow {
  date: string;
  sales?: number;
  forecast?: number;
  /** The interval per day: the cover days' demand interval divided by the days. */
  band?: [number, number];
}

export function chartRows(insight: StoreProductInsight): ChartRow[] {
  const rows = new Map<string, ChartRow>();
  const days = insight.forecast.length;
  const i = insight.interval;
  const band: [number, number] | undefined = i && days > 0 ? [i.low / days, i.high / days] : undefined;
  for (const p of insight.history) rows.set(p.date, { date: p.date, sales: p.units });
  for (const p of insight.forecast) {
    rows.set(p.date, { ...(rows.get(p.date) ?? { date: p.date }), forecast: p.units, ...(band ? { band } : {}) });
  }
  return [...rows.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/** What the forecast is: its method (chosen per series or asked for) and its interval. */
export function forecastNote(insight: StoreProductInsight): string {
  const parts: string[] = [];
  if (insight.method) parts.push(`${insight.method}${insight.chosen ? " (chosen for this series)" : ""}`);
  const i = insight.interval;
  if (i) {
    const days = insight.forecast.length;
    parts.push(`${fmtPercent(i.level)} interval of the ${days}-day demand ${fmtDecimal(i.low)}–${fmtDecimal(i.high)}`);
  }
  return parts.length > 0 ? `Forecast: ${parts.join("; ")}.` : "";
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
        {forecastNote(insight) && (
          <>
            <br />
            <small className="forecast-note">{forecastNote(insight)}</small>
          </>
        )}
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
          {insight.interval && (
            <Area
              yAxisId="units"
              dataKey="band"
              name={`${fmtPercent(insight.interval.level)} interval`}
              stroke="none"
              fill="#E69F00"
              fillOpacity={0.25}
              isAnimationActive={false}
            />
          )}
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

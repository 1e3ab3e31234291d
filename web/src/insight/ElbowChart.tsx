/** Within-cluster sum of squares against k, with the k the elbow method chose marked. */
import { CartesianGrid, Line, LineChart, ReferenceDot, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { Elbow } from "../api/types";

export function ElbowChart({ elbow }: { elbow: Elbow }) {
  const rows = elbow.k.map((k, i) => ({ k, wcss: elbow.wcss[i] ?? 0 }));
  if (rows.length === 0) return <p className="empty">The clusters were fixed, so there is no elbow curve.</p>;
  const chosen = rows.find((r) => r.k === elbow.chosen_k);
  return (
    <figure className="chart" aria-label="Elbow curve">
      <figcaption>Elbow curve{elbow.chosen_k !== null ? `: k = ${elbow.chosen_k} chosen` : ""}</figcaption>
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={rows} margin={{ top: 8, right: 16, bottom: 16, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#ddd" />
          <XAxis
            dataKey="k"
            type="number"
            domain={["dataMin", "dataMax"]}
            allowDecimals={false}
            tick={{ fontSize: 11 }}
            label={{ value: "k (clusters)", position: "insideBottom", offset: -8, fontSize: 11 }}
          />
          <YAxis
            tick={{ fontSize: 11 }}
            width={60}
            tickFormatter={(v: number) => v.toPrecision(2)}
            label={{ value: "WCSS", angle: -90, position: "insideLeft", fontSize: 11 }}
          />
          <Tooltip />
          <Line dataKey="wcss" name="WCSS" stroke="#0072B2" strokeWidth={2} isAnimationActive={false} />
          {chosen && <ReferenceDot x={chosen.k} y={chosen.wcss} r={7} fill="#D55E00" stroke="#000" />}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

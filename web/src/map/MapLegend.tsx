/** What the colours and line styles on the map mean, next to the map (not on the canvas, so it is readable and selectable). */
import type { BalanceBasis } from "../lib/balance";
import { fmtInt } from "../lib/format";
import type { FlowsShown } from "./PlanFlows";
import { BALANCE_COLOURS, SCOPE_COLOURS, WAREHOUSE_COLOUR, clusterColour } from "../lib/palette";

interface Props {
  clusterLabels: readonly string[];
  productId: string | null;
  basis: BalanceBasis;
  flows: FlowsShown | null;
  storeId: string | null;
  onClearStore: () => void;
}

/** What the flows on the map are: their level, how many, and how to see the other level. */
export function flowsNote(flows: FlowsShown | null, storeId: string | null): string {
  if (flows === null) return "No plan drawn";
  if (flows.lines !== null)
    return `${fmtInt(flows.lines)} lines the table lists, as ${fmtInt(flows.drawn)} store pairs`;
  const pairs = `${fmtInt(flows.drawn)} ${flows.level} pair${flows.drawn === 1 ? "" : "s"}`;
  const cut = flows.total > flows.drawn ? ` (the largest of ${fmtInt(flows.total)})` : "";
  if (storeId !== null) return `${pairs}${cut} to and from store ${storeId}`;
  if (flows.level === "cluster") return `${pairs}, cluster to cluster; zoom in or pick a product or store for stores`;
  return `${pairs}${cut}, store to store`;
}

export function MapLegend({ clusterLabels, productId, basis, flows, storeId, onClearStore }: Props) {
  return (
    <div className="legend" aria-label="Map legend">
      {productId ? (
        <div className="legend-group">
          <span className="legend-title">
            {productId} {basis === "plan" ? "as planned" : "vs cluster mean"}
          </span>
          {(["surplus", "deficit", "balanced"] as const).map((k) => (
            <span key={k} className="legend-item">
              <span className="swatch dot" style={{ background: BALANCE_COLOURS[k] }} />
              {k}
            </span>
          ))}
          <span className="legend-note">
            size: {basis === "plan" ? "units sent or needed" : "units over or under target"}
          </span>
        </div>
      ) : (
        <div className="legend-group">
          <span className="legend-title">Clusters</span>
          {clusterLabels.slice(0, 12).map((c) => (
            <span key={c} className="legend-item">
              <span className="swatch dot" style={{ background: clusterColour(c, clusterLabels) }} />
              {c}
            </span>
          ))}
          {clusterLabels.length > 12 && <span className="legend-note">+{clusterLabels.length - 12} more</span>}
        </div>
      )}
      <div className="legend-group">
        <span className="legend-title">Flows</span>
        <span className="legend-note" data-testid="flows-note">
          {flowsNote(flows, storeId)}
        </span>
        {storeId !== null && (
          <button type="button" className="link" onClick={onClearStore}>
            Show all stores' flows
          </button>
        )}
      </div>
      <div className="legend-group">
        <span className="legend-title">Routes</span>
        <span className="legend-item">
          <span className="swatch line" style={{ borderTopColor: SCOPE_COLOURS["intra-cluster"] }} />
          intra-cluster
        </span>
        <span className="legend-item">
          <span className="swatch line dashed" style={{ borderTopColor: SCOPE_COLOURS["cross-cluster"] }} />
          cross-cluster
        </span>
        <span className="legend-item">
          <span className="swatch ring" style={{ borderColor: WAREHOUSE_COLOUR }} />
          warehouse order
        </span>
      </div>
    </div>
  );
}

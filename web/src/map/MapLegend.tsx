/** What the colours and line styles on the map mean, next to the map (not on the canvas, so it is readable and selectable). */
import type { BalanceBasis } from "../lib/balance";
import { type ClusterReach, overreaching } from "../lib/clusterReach";
import { fmtDecimal, fmtInt } from "../lib/format";
import type { FlowsShown } from "./PlanFlows";
import { BALANCE_COLOURS, SCOPE_COLOURS, WAREHOUSE_COLOUR, clusterColour } from "../lib/palette";

interface Props {
  clusterLabels: readonly string[];
  productId: string | null;
  basis: BalanceBasis;
  flows: FlowsShown | null;
  storeId: string | null;
  onClearStore: () => void;
  /** Each cluster's radius and longest intra-cluster line. */
  reach: readonly ClusterReach[];
  /** Intra-cluster lines longer than this are flagged (km). */
  warnKm: number;
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

/** The warning for clusters too wide to be one region, or null. */
export function reachWarning(reach: readonly ClusterReach[], warnKm: number): string | null {
  const wide = overreaching(reach);
  if (wide.length === 0) return null;
  const named = wide
    .slice(0, 3)
    .map(
      (r) =>
        `cluster ${r.cluster} (${fmtInt(r.longLines)} line${r.longLines === 1 ? "" : "s"}, up to ${fmtInt(r.longestKm)} km)`,
    )
    .join(", ");
  const more = wide.length > 3 ? ` and ${fmtInt(wide.length - 3)} more` : "";
  return `Intra-cluster lines longer than ${fmtInt(warnKm)} km: ${named}${more}. Such a cluster is wider than a region; try more clusters or a distance limit.`;
}

export function MapLegend(props: Props) {
  const { clusterLabels, productId, basis, flows, storeId, onClearStore } = props;
  const radius = new Map(props.reach.map((r) => [r.cluster, r.radiusKm]));
  const warning = reachWarning(props.reach, props.warnKm);
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
              {radius.get(c) != null && <span className="legend-note"> r {fmtDecimal(radius.get(c) ?? 0)} km</span>}
            </span>
          ))}
          {clusterLabels.length > 12 && <span className="legend-note">+{clusterLabels.length - 12} more</span>}
        </div>
      )}
      {warning && (
        <p className="legend-warning" role="note" data-testid="reach-warning">
          {warning}
        </p>
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

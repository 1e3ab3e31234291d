/** What the colours and line styles on the map mean, next to the map (not on the canvas, so it is readable and selectable). */
import type { BalanceBasis } from "../lib/balance";
import { BALANCE_COLOURS, SCOPE_COLOURS, WAREHOUSE_COLOUR, clusterColour } from "../lib/palette";

interface Props {
  clusterLabels: readonly string[];
  productId: string | null;
  basis: BalanceBasis;
}

export function MapLegend({ clusterLabels, productId, basis }: Props) {
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

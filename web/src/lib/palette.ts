/**
 * Colours that stay distinguishable under the common colour-vision deficiencies.
 * Clusters use Paul Tol's "muted" qualitative scheme; statuses and route scopes use Okabe-Ito.
 */

/** Paul Tol's muted scheme (nine hues), cycled when there are more clusters than hues. */
export const CLUSTER_COLOURS: readonly string[] = [
  "#332288",
  "#88CCEE",
  "#44AA99",
  "#117733",
  "#999933",
  "#DDCC77",
  "#CC6677",
  "#882255",
  "#AA4499",
];

/** Okabe-Ito hues for stock balance, transfer scope and transfer status. */
export const BALANCE_COLOURS = {
  surplus: "#0072B2",
  deficit: "#D55E00",
  balanced: "#999999",
} as const;

export const SCOPE_COLOURS = {
  "intra-cluster": "#009E73",
  "cross-cluster": "#CC79A7",
} as const;

export const STATUS_COLOURS: Record<string, string> = {
  proposed: "#56B4E9",
  dispatched: "#E69F00",
  received: "#009E73",
  cancelled: "#999999",
};

export const WAREHOUSE_COLOUR = "#000000";
export const HIGHLIGHT_COLOUR = "#F0E442";

/**
 * A stable colour for a cluster label: labels are ordered (numerically when they are numbers)
 * so that cluster "0" always gets the first hue whatever order the stores arrive in.
 */
export function clusterColour(cluster: string, allClusters: readonly string[]): string {
  const index = allClusters.indexOf(cluster);
  const slot = index < 0 ? hashLabel(cluster) : index;
  return CLUSTER_COLOURS[slot % CLUSTER_COLOURS.length] ?? "#777777";
}

/** Cluster labels sorted the way a person reads them: "2" before "10", then by code point. */
export function sortClusterLabels(labels: Iterable<string>): string[] {
  return [...new Set(labels)].sort((a, b) => {
    const na = Number(a);
    const nb = Number(b);
    if (Number.isFinite(na) && Number.isFinite(nb) && a.trim() !== "" && b.trim() !== "") {
      return na - nb;
    }
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

function hashLabel(label: string): number {
  let h = 0;
  for (let i = 0; i < label.length; i += 1) h = (h * 31 + label.charCodeAt(i)) | 0;
  return Math.abs(h);
}

/** Okabe-Ito hues for the backtest's policies (the same as the CLI's --png chart). */
export const POLICY_COLOURS: Record<string, string> = {
  warehouse: "#7F7F7F",
  greedy: "#D55E00",
  optimal: "#0072B2",
  "expected-benefit": "#009E73",
};

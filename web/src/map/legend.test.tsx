/** Each cluster's radius on the map, and a warning when intra-cluster lines run too far (issue 11 part 3). */
import { render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { ClusterInfo } from "../api/types";
import { clusterReach, overreaching } from "../lib/clusterReach";
import { store, transferLine } from "../test/factories";
import { MapLegend, reachWarning } from "./MapLegend";

const clusters: ClusterInfo[] = [
  { cluster: "0", store_ids: ["A", "B"], centroid: { lat: 41, lon: -93 }, radius_km: 12.34 },
  { cluster: "1", store_ids: ["C", "D"], centroid: { lat: 40, lon: -85 }, radius_km: 640 },
];
const stores = [
  store("A", 41, -93, "0"),
  store("B", 41.1, -93, "0"),
  store("C", 40, -80, "1"),
  store("D", 40, -90, "1"),
];
const lines = [
  transferLine(1, "P1", "A", "B", 5, { distance_km: 11 }),
  transferLine(2, "P1", "C", "D", 5, { distance_km: 1141 }),
  transferLine(3, "P2", "D", "C", 5, { distance_km: 850 }),
  transferLine(4, "P2", "A", "C", 5, { distance_km: 1500, scope: "cross-cluster" }),
];

describe("cluster reach", () => {
  it("finds each cluster's longest intra-cluster line and those past the warning distance", () => {
    const reach = clusterReach(clusters, stores, lines, 300);
    expect(reach).toEqual([
      { cluster: "0", radiusKm: 12.34, longestKm: 11, longLines: 0 },
      { cluster: "1", radiusKm: 640, longestKm: 1141, longLines: 2 },
    ]);
    expect(overreaching(reach).map((r) => r.cluster)).toEqual(["1"]);
    expect(overreaching(clusterReach(clusters, stores, lines, 2000))).toEqual([]);
  });

  it("warns naming the cluster, its long lines and the distance set", () => {
    expect(reachWarning(clusterReach(clusters, stores, lines, 300), 300)).toBe(
      "Intra-cluster lines longer than 300 km: cluster 1 (2 lines, up to 1,141 km). Such a cluster is wider than a region; try more clusters or a distance limit.",
    );
    expect(reachWarning(clusterReach(clusters, stores, lines, 2000), 2000)).toBeNull();
  });

  it("shows each cluster's radius in the legend, and the warning", () => {
    render(
      <MapLegend
        clusterLabels={["0", "1"]}
        productId={null}
        basis="cluster-mean"
        flows={null}
        storeId={null}
        onClearStore={vi.fn()}
        reach={clusterReach(clusters, stores, lines, 300)}
        warnKm={300}
      />,
    );
    const legend = screen.getByLabelText("Map legend");
    expect(legend).toHaveTextContent("0 r 12.3 km");
    expect(legend).toHaveTextContent("1 r 640 km");
    expect(screen.getByRole("note")).toHaveTextContent("cluster 1 (2 lines, up to 1,141 km)");
  });
});

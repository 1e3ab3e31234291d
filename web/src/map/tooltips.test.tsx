/** Tooltips sit above the store markers (issue 11 part 3): in Leaflet's tooltip pane, not under a layer pane's canvas. */
import { act, render } from "@testing-library/react";
import L, { type Map as LeafletMap } from "leaflet";
import { Pane } from "react-leaflet";
import { describe, expect, it } from "vitest";
import { ApiContext } from "../api/context";
import { store } from "../test/factories";
import { TestMap } from "../test/leaflet";
import { stubService, withQueries } from "../test/service";
import { ClustersLayer } from "./ClustersLayer";
import { PANE_Z } from "./panes";
import { StoresLayer } from "./StoresLayer";

describe("map tooltips", () => {
  it("open in the tooltip pane, above the stores' canvas, for stores and clusters", () => {
    const { api } = stubService({
      "GET /api/v1/inventory": () => [200, { items: [], total: 0, offset: 0, limit: 10000 }],
    });
    const stores = [store("S1", 41, -93, "0"), store("S2", 41.2, -93.1, "0")];
    let map: LeafletMap | undefined;
    const Wrapper = withQueries();
    render(
      <Wrapper>
        <ApiContext.Provider value={api}>
          <TestMap onMap={(m) => (map = m)}>
            <Pane name="clusters" style={{ zIndex: PANE_Z.clusters }}>
              <ClustersLayer stores={stores} clusters={[]} clusterLabels={["0"]} />
            </Pane>
            <Pane name="stores" style={{ zIndex: PANE_Z.stores }}>
              <StoresLayer
                stores={stores}
                clusterLabels={["0"]}
                productId={null}
                balances={null}
                selectedStore={null}
                onSelectStore={() => undefined}
              />
            </Pane>
          </TestMap>
        </ApiContext.Provider>
      </Wrapper>,
    );
    const withTooltips: L.Layer[] = [];
    map?.eachLayer((l) => {
      if (l.getTooltip()) withTooltips.push(l);
    });
    expect(withTooltips).toHaveLength(3); // two stores and their cluster
    act(() => {
      for (const l of withTooltips) l.openTooltip(l instanceof L.CircleMarker ? l.getLatLng() : L.latLng(41, -93));
    });
    const tips = [...document.querySelectorAll(".leaflet-tooltip")];
    expect(tips.map((t) => t.textContent)).toEqual(
      expect.arrayContaining([expect.stringContaining("(S1)"), expect.stringContaining("Cluster 0: 2 stores")]),
    );
    for (const tip of tips) expect(tip.parentElement).toHaveClass("leaflet-tooltip-pane");
  });
});

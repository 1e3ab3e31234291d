/**
 * Tooltips sit above the store markers (issue 11 part 3): in Leaflet's tooltip pane, not under a
 * layer pane's canvas; a cluster's shows on hover although the stores' canvas takes the pointer.
 */
import { act, render } from "@testing-library/react";
import L, { type Map as LeafletMap } from "leaflet";
import { Pane } from "react-leaflet";
import { describe, expect, it } from "vitest";
import { ApiContext } from "../api/context";
import type { Store } from "../api/types";
import type { StoreBalance } from "../lib/balance";
import { BALANCE_COLOURS } from "../lib/palette";
import { store } from "../test/factories";
import { TestMap } from "../test/leaflet";
import { stubService, withQueries } from "../test/service";
import { clusterAt, insidePolygon } from "./clusterHit";
import { ClustersLayer } from "./ClustersLayer";
import { PANE_Z } from "./panes";
import { StoresLayer } from "./StoresLayer";

const stores = [store("S1", 41, -93, "0"), store("S2", 41.2, -93.1, "0"), store("S3", 40.8, -92.7, "0")];

function drawMap(props: { productId?: string | null; balances?: ReadonlyMap<string, StoreBalance> | null } = {}) {
  const { api } = stubService({
    "GET /api/v1/inventory": () => [200, { items: [], total: 0, offset: 0, limit: 10000 }],
  });
  let map: LeafletMap | undefined;
  const Wrapper = withQueries();
  const ui = (p: typeof props, shown: readonly Store[] = stores) => (
    <Wrapper>
      <ApiContext.Provider value={api}>
        <TestMap onMap={(m) => (map = m)} zoom={9}>
          <Pane name="clusters" style={{ zIndex: PANE_Z.clusters }}>
            <ClustersLayer stores={shown} clusters={[]} clusterLabels={["0"]} />
          </Pane>
          <Pane name="stores" style={{ zIndex: PANE_Z.stores }}>
            <StoresLayer
              stores={shown}
              clusterLabels={["0"]}
              productId={p.productId ?? null}
              balances={p.balances ?? null}
              selectedStore={null}
              onSelectStore={() => undefined}
            />
          </Pane>
        </TestMap>
      </ApiContext.Provider>
    </Wrapper>
  );
  const view = render(ui(props));
  if (!map) throw new Error("no map");
  return { map, rerender: (p: typeof props, shown?: readonly Store[]) => view.rerender(ui(p, shown)) };
}

function markers(map: LeafletMap): L.CircleMarker[] {
  const out: L.CircleMarker[] = [];
  map.eachLayer((l) => {
    if (l instanceof L.CircleMarker && l.getTooltip()) out.push(l);
  });
  return out;
}

const tips = () => [...document.querySelectorAll(".leaflet-tooltip")];

/** A pointer move over the map at `at`, from `target` (the stores' canvas marks itself interactive over a store). */
function moveTo(map: LeafletMap, at: L.LatLng, target: Element = map.getContainer()) {
  act(() => {
    map.fire("mousemove", {
      latlng: at,
      containerPoint: map.latLngToContainerPoint(at),
      originalEvent: { target },
    });
  });
}

describe("map tooltips", () => {
  it("a store's opens in the tooltip pane, above the stores' canvas, with its stock", () => {
    const { map } = drawMap();
    const [first] = markers(map);
    expect(markers(map)).toHaveLength(3);
    act(() => {
      first?.openTooltip();
    });
    const [tip] = tips();
    expect(tip?.textContent).toContain("(S1)");
    expect(tip?.textContent).toContain("Cluster 0");
    expect(tip?.parentElement).toHaveClass("leaflet-tooltip-pane");
    act(() => {
      first?.closeTooltip();
    });
    expect(tips()).toHaveLength(0);
  });

  it("a store's tells its balance for the product shown, and the marker is restyled, not made again", () => {
    const balances = new Map<string, StoreBalance>([
      ["S1", { store_id: "S1", kind: "surplus", magnitude: 8, on_hand: 20, in_transit: 1, target: 12 }],
    ]);
    const { map, rerender } = drawMap();
    const before = markers(map);
    rerender({ productId: "P1", balances });
    const after = markers(map);
    after.forEach((m, i) => expect(m).toBe(before[i]));
    expect(after[0]?.options.fillColor).toBe(BALANCE_COLOURS.surplus);
    expect(after[0]?.getRadius()).toBe(16); // the largest surplus
    expect(after[1]?.options.fillColor).toBe("#ffffff"); // does not carry it
    act(() => {
      after[0]?.openTooltip();
    });
    expect(tips()[0]?.textContent).toContain("P1: 20 on hand, 1 in transit");
    expect(tips()[0]?.textContent).toContain("surplus by 8");
    // new stores: new markers
    rerender({}, stores.slice(0, 2));
    expect(markers(map)).toHaveLength(2);
    expect(tips()).toHaveLength(0);
  });

  it("a cluster's shows when the pointer is over it, not over one of its stores, and goes when it leaves", () => {
    const { map } = drawMap();
    const inside = L.latLng(41, -92.95); // within the three stores' hull
    moveTo(map, inside);
    expect(tips().map((t) => t.textContent)).toEqual(["Cluster 0: 3 stores, radius 29.7 km"]);
    expect(tips()[0]?.parentElement).toHaveClass("leaflet-tooltip-pane");
    const onStore = document.createElement("canvas");
    onStore.classList.add("leaflet-interactive");
    moveTo(map, inside, onStore);
    expect(tips()).toHaveLength(0);
    moveTo(map, inside);
    expect(tips()).toHaveLength(1);
    // a store's tooltip open: the pointer is on the store, not its cluster, until it closes
    const [first] = markers(map);
    act(() => {
      first?.openTooltip();
    });
    expect(tips().map((t) => t.textContent)).toEqual([expect.stringContaining("(S1)")]);
    moveTo(map, inside);
    expect(tips().map((t) => t.textContent)).toEqual([expect.stringContaining("(S1)")]);
    act(() => {
      first?.closeTooltip();
    });
    moveTo(map, inside);
    expect(tips().map((t) => t.textContent)).toEqual([expect.stringMatching(/^Cluster 0/)]);
    moveTo(map, L.latLng(45, -80)); // far away
    expect(tips()).toHaveLength(0);
  });
});

describe("cluster hit test", () => {
  const square = [
    { x: 0, y: 0 },
    { x: 100, y: 0 },
    { x: 100, y: 100 },
    { x: 0, y: 100 },
  ];

  it("tells inside from outside a polygon", () => {
    expect(insidePolygon({ x: 50, y: 50 }, square)).toBe(true);
    expect(insidePolygon({ x: 150, y: 50 }, square)).toBe(false);
    expect(insidePolygon({ x: 50, y: -1 }, square)).toBe(false);
  });

  it("picks the smallest shape holding the point, so a cluster inside another can be hovered", () => {
    const ring = { centre: { x: 50, y: 50 }, radius: 10 };
    expect(clusterAt({ x: 52, y: 50 }, [{ corners: square }, ring])).toBe(1);
    expect(clusterAt({ x: 80, y: 80 }, [{ corners: square }, ring])).toBe(0);
    expect(clusterAt({ x: 200, y: 200 }, [{ corners: square }, ring])).toBe(-1);
  });
});

/** The map's flows (issue 11 part 2): the level asked for, what a click hits, and what is drawn on the canvas. */
import { act, render, waitFor } from "@testing-library/react";
import L, { type Map as LeafletMap } from "leaflet";
import { Pane } from "react-leaflet";
import { describe, expect, it, vi } from "vitest";
import { ApiContext } from "../api/context";
import { TestMap } from "../test/leaflet";
import { stubService, withQueries } from "../test/service";
import { store, transferLine } from "../test/factories";
import { ARROW_LIMIT, type Flow, STORE_LEVEL_ZOOM, describeFlow, flowAt, flowLevel, flowsOfRoutes } from "./flows";
import { resolveRoutes } from "./routes";
import { FlowsLayer, loopRadius } from "./FlowsLayer";
import { flowsNote } from "./MapLegend";
import { filtersLines } from "../dashboard/MapArea";
import { PlanFlows } from "./PlanFlows";

function flow(origin: string, destination: string, units: number, at: [number, number, number, number]): Flow {
  const [origin_lat, origin_lon, destination_lat, destination_lon] = at;
  return {
    origin,
    destination,
    origin_lat,
    origin_lon,
    destination_lat,
    destination_lon,
    lines: 2,
    units,
    unit_km: units * 100,
  };
}

const eastWest = flow("A", "B", 30, [40, -95, 40, -85]);
const loop = flow("0", "0", 12, [42, -88, 42, -88]);

/** The canvas layers a map holds in one pane. */
function inPane(map: LeafletMap, pane: string) {
  const found: L.Path[] = [];
  map.eachLayer((l) => {
    if (l instanceof L.Path && l.options.pane === pane) found.push(l);
  });
  return found;
}

describe("which flows to ask for", () => {
  it("is cluster to cluster at country scale and store to store zoomed in, or for a product or a store", () => {
    expect(flowLevel({ zoom: 4, productId: null, storeId: null })).toBe("cluster");
    expect(flowLevel({ zoom: STORE_LEVEL_ZOOM, productId: null, storeId: null })).toBe("store");
    expect(flowLevel({ zoom: 4, productId: "P1", storeId: null })).toBe("store");
    expect(flowLevel({ zoom: 4, productId: null, storeId: "S1" })).toBe("store");
  });

  it("says what is drawn and how to see more", () => {
    expect(flowsNote(null, null)).toBe("No plan drawn");
    expect(flowsNote({ level: "cluster", drawn: 11, total: 11, lines: null }, null)).toMatch(
      /^11 cluster pairs, cluster to cluster; zoom in/,
    );
    expect(flowsNote({ level: "store", drawn: 20_000, total: 31_250, lines: null }, null)).toBe(
      "20,000 store pairs (the largest of 31,250), store to store",
    );
    expect(flowsNote({ level: "store", drawn: 2, total: 2, lines: 1_204 }, null)).toBe(
      "1,204 lines the table lists, as 2 store pairs",
    );
    expect(flowsNote({ level: "store", drawn: 1, total: 1, lines: null }, "S7")).toBe(
      "1 store pair to and from store S7",
    );
  });
});

describe("a click on a flow", () => {
  const shapes = [
    { a: { x: 0, y: 0 }, b: { x: 100, y: 0 }, radius: 0 },
    { a: { x: 0, y: 10 }, b: { x: 100, y: 10 }, radius: 0 },
    { a: { x: 300, y: 300 }, b: { x: 300, y: 300 }, radius: 20 },
  ];

  it("hits the nearest line within the tolerance, or none", () => {
    expect(flowAt({ x: 50, y: 3 }, shapes, 6)).toBe(0);
    expect(flowAt({ x: 50, y: 7 }, shapes, 6)).toBe(1);
    expect(flowAt({ x: 50, y: 40 }, shapes, 6)).toBe(-1);
    expect(flowAt({ x: 120, y: 0 }, shapes, 6)).toBe(-1); // past the end of the segment
  });

  it("hits a loop on its ring, not at its centre", () => {
    expect(flowAt({ x: 320, y: 300 }, shapes, 6)).toBe(2);
    expect(flowAt({ x: 300, y: 300 }, shapes, 6)).toBe(-1);
  });

  it("is described by its ends, units, lines and mean distance", () => {
    expect(describeFlow(eastWest, "store")).toEqual({
      title: "Store A → B",
      detail: "30 units in 2 lines, 100 km on average",
    });
    expect(describeFlow(loop, "cluster").title).toBe("Cluster 0: among its own stores");
  });
});

describe("FlowsLayer", () => {
  const draw = (flows: Flow[]) => {
    let map: LeafletMap | undefined;
    const view = render(
      <TestMap onMap={(m) => (map = m)}>
        <Pane name="routes">
          <FlowsLayer flows={flows} level="cluster" clusterOf={new Map()} faded={false} />
        </Pane>
      </TestMap>,
    );
    if (!map) throw new Error("no map");
    return { map, view };
  };

  it("draws each flow on the routes pane's canvas, width by units, and a cluster's own traffic as a ring", () => {
    const { map } = draw([eastWest, loop]);
    const layers = inPane(map, "routes");
    const lines = layers.filter((l) => l instanceof L.Polyline && !(l instanceof L.Polygon));
    const rings = layers.filter((l): l is L.CircleMarker => l instanceof L.CircleMarker);
    const heads = layers.filter((l) => l instanceof L.Polygon);
    expect(lines).toHaveLength(1);
    expect(rings).toHaveLength(1);
    expect(heads).toHaveLength(1); // the loop has no direction to point
    expect(layers.every((l) => l.options.renderer instanceof L.Canvas && !l.options.interactive)).toBe(true);
    expect(lines[0]?.options.weight).toBe(9); // the largest flow is the widest
    expect(rings[0]?.options.weight).toBeCloseTo(2 + 7 * Math.sqrt(12 / 30));
    expect(rings[0]?.getRadius()).toBe(loopRadius(rings[0]?.options.weight ?? 0));
    expect(lines[0]?.options.dashArray).toBe("10 6"); // cluster A to B: cross-cluster
  });

  it("fades its lines for a selected line by restyling them, not by making them again", () => {
    let map: LeafletMap | undefined;
    const flows = [eastWest, loop];
    const clusterOf = new Map<string, string>();
    const ui = (faded: boolean) => (
      <TestMap onMap={(m) => (map = m)}>
        <Pane name="routes">
          <FlowsLayer flows={flows} level="cluster" clusterOf={clusterOf} faded={faded} />
        </Pane>
      </TestMap>
    );
    const { rerender } = render(ui(false));
    if (!map) throw new Error("no map");
    const before = inPane(map, "routes").filter((l) => !(l instanceof L.Polygon));
    expect(before.map((l) => l.options.opacity)).toEqual([0.75, 0.75]);
    rerender(ui(true));
    const after = inPane(map, "routes").filter((l) => !(l instanceof L.Polygon));
    after.forEach((l, i) => expect(l).toBe(before[i])); // the same layers
    expect(after.map((l) => l.options.opacity)).toEqual([0.2, 0.2]);
  });

  it("leaves arrow heads out when there are many flows", () => {
    const many = Array.from({ length: ARROW_LIMIT + 1 }, (_, i) => flow(`S${i}`, `T${i}`, 1 + i, [40, -95, 41, -90]));
    const { map } = draw(many);
    const layers = inPane(map, "routes");
    expect(layers.filter((l) => l instanceof L.Polygon)).toHaveLength(0);
    expect(layers).toHaveLength(ARROW_LIMIT + 1);
  });

  it("opens a popup naming the flow clicked", () => {
    const { map } = draw([eastWest]);
    const mid = L.latLng(40, -90);
    act(() => {
      map.fire("click", { latlng: mid, containerPoint: map.latLngToContainerPoint(mid) });
    });
    expect(document.querySelector(".leaflet-popup-pane .flow-popup")).toHaveTextContent(
      "Cluster A → B30 units in 2 lines, 100 km on average",
    );
  });
});

/** PlanFlows of plan 8 on a test map, with the service ``api`` and no store chosen. */
function FlowsOnMap(props: {
  api: ReturnType<typeof stubService>["api"];
  Wrapper: ReturnType<typeof withQueries>;
  productId: string | null;
  filtered: ReturnType<typeof resolveRoutes> | null;
  onShown: (shown: unknown) => void;
}) {
  const { api, Wrapper, productId, filtered, onShown } = props;
  return (
    <Wrapper>
      <ApiContext.Provider value={api}>
        <TestMap>
          <Pane name="routes">
            <PlanFlows
              planId="8"
              productId={productId}
              storeId={null}
              filtered={filtered}
              clusterOf={new Map()}
              faded={false}
              onShown={onShown}
            />
          </Pane>
        </TestMap>
      </ApiContext.Provider>
    </Wrapper>
  );
}

describe("PlanFlows", () => {
  it("asks the service for cluster flows at country scale and a product's store flows once one is chosen", async () => {
    const { api, fetch } = stubService({
      "GET /api/v1/plans/8/flows": (request) => {
        const level = new URL(request.url).searchParams.get("level") ?? "";
        const flows = level === "cluster" ? [eastWest, loop] : [eastWest];
        return [200, { plan_id: 8, level, total: flows.length, limit: 20000, flows }];
      },
    });
    const onShown = vi.fn();
    const Wrapper = withQueries();
    const ui = (productId: string | null) => (
      <FlowsOnMap api={api} Wrapper={Wrapper} productId={productId} filtered={null} onShown={onShown} />
    );
    const { rerender } = render(ui(null));
    await waitFor(() =>
      expect(onShown).toHaveBeenLastCalledWith({ level: "cluster", drawn: 2, total: 2, lines: null }),
    );
    rerender(ui("P1"));
    await waitFor(() => expect(onShown).toHaveBeenLastCalledWith({ level: "store", drawn: 1, total: 1, lines: null }));
    const asked = fetch.mock.calls.map(([r]) => new URL((r as Request).url).search);
    expect(asked).toContain("?level=cluster&limit=20000");
    expect(asked).toContain("?level=store&product_id=P1&limit=20000");
  });
});

describe("a table filter", () => {
  it("has the map sum the table's lines only when it filters by more than the store chosen", () => {
    const none = { text: "", scope: "", status: "", store: "" };
    expect(filtersLines(null)).toBe(false);
    expect(filtersLines({ ...none, store: "S1" })).toBe(false); // the service's store flows
    expect(filtersLines({ ...none, text: "P1" })).toBe(true);
    expect(filtersLines({ ...none, scope: "cross-cluster", store: "S1" })).toBe(true);
    expect(filtersLines({ ...none, status: "dispatched" })).toBe(true);
  });

  it("has the map sum the lines the table lists, store to store, the most units first", () => {
    const stores = [store("A", 41, -93), store("B", 42, -93), store("C", 43, -92)];
    const lines = [
      transferLine(1, "P1", "A", "B", 5, { distance_km: 10 }),
      transferLine(2, "P2", "A", "B", 3, { distance_km: 10 }),
      transferLine(3, "P1", "C", "A", 9, { distance_km: 40 }),
    ];
    const view = flowsOfRoutes(resolveRoutes(lines, stores));
    expect(view.level).toBe("store");
    expect(view.total).toBe(2);
    expect(view.flows.map((f) => [f.origin, f.destination, f.lines, f.units, f.unit_km])).toEqual([
      ["C", "A", 1, 9, 360],
      ["A", "B", 2, 8, 80],
    ]);
    expect(view.flows[0]).toMatchObject({ origin_lat: 43, origin_lon: -92, destination_lat: 41 });
  });

  it("is drawn instead of the service's flows, which are not asked for", async () => {
    const { api, fetch } = stubService({});
    const onShown = vi.fn();
    const routes = resolveRoutes([transferLine(1, "P1", "A", "B", 5)], [store("A", 41, -93), store("B", 42, -93)]);
    render(<FlowsOnMap api={api} Wrapper={withQueries()} productId={null} filtered={routes} onShown={onShown} />);
    await waitFor(() => expect(onShown).toHaveBeenLastCalledWith({ level: "store", drawn: 1, total: 1, lines: 1 }));
    expect(fetch).not.toHaveBeenCalled();
  });
});

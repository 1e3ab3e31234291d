/** The map's flows (issue 11 part 2): the level asked for, what a click hits, and what is drawn on the canvas. */
import { act, render, waitFor } from "@testing-library/react";
import L, { type Map as LeafletMap } from "leaflet";
import { Pane } from "react-leaflet";
import { describe, expect, it, vi } from "vitest";
import { ApiContext } from "../api/context";
import { TestMap } from "../test/leaflet";
import { stubService, withQueries } from "../test/service";
import { ARROW_LIMIT, type Flow, STORE_LEVEL_ZOOM, describeFlow, flowAt, flowLevel } from "./flows";
import { FADED_OPACITY, FlowsLayer, LINE_OPACITY, loopRadius } from "./FlowsLayer";
import { flowsNote } from "./MapLegend";
import { filtersLines } from "../dashboard/MapArea";
import { PlanFlows } from "./PlanFlows";
import type { FlowView } from "./flows";
import type { TableFilter } from "../plan/TransfersTable";

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

  it("fades its lines for a selected line through their canvas, not line by line", () => {
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
    const canvases = () => [...document.querySelectorAll<HTMLCanvasElement>(".leaflet-routes-pane canvas")];
    const before = inPane(map, "routes");
    expect(before.map((l) => l.options.opacity)).toEqual([LINE_OPACITY, LINE_OPACITY, LINE_OPACITY]);
    expect(canvases().length).toBe(2); // the lines' and the arrow heads'
    expect(canvases().map((c) => c.style.opacity)).toEqual(["", ""]);
    rerender(ui(true));
    const after = inPane(map, "routes");
    after.forEach((l, i) => expect(l).toBe(before[i])); // the same layers, with the same style
    expect(after.map((l) => l.options.opacity)).toEqual([LINE_OPACITY, LINE_OPACITY, LINE_OPACITY]);
    // each canvas fades to 0.2 of full strength: 0.75 · 0.267
    for (const c of canvases()) expect(Number(c.style.opacity) * LINE_OPACITY).toBeCloseTo(FADED_OPACITY, 2);
    rerender(ui(false));
    expect(canvases().map((c) => c.style.opacity)).toEqual(["", ""]);
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
  filter: TableFilter | null;
  onShown: (shown: unknown) => void;
  onProductFlows?: (view: FlowView) => void;
}) {
  const { api, Wrapper, productId, filter, onShown, onProductFlows } = props;
  return (
    <Wrapper>
      <ApiContext.Provider value={api}>
        <TestMap>
          <Pane name="routes">
            <PlanFlows
              planId="8"
              productId={productId}
              storeId={null}
              filter={filter}
              clusterOf={new Map()}
              faded={false}
              onShown={onShown}
              onProductFlows={onProductFlows}
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
    const onProductFlows = vi.fn();
    const Wrapper = withQueries();
    const ui = (productId: string | null) => (
      <FlowsOnMap
        api={api}
        Wrapper={Wrapper}
        productId={productId}
        filter={null}
        onShown={onShown}
        onProductFlows={onProductFlows}
      />
    );
    const { rerender } = render(ui(null));
    await waitFor(() =>
      expect(onShown).toHaveBeenLastCalledWith({ level: "cluster", drawn: 2, total: 2, lines: null }),
    );
    rerender(ui("P1"));
    await waitFor(() => expect(onShown).toHaveBeenLastCalledWith({ level: "store", drawn: 1, total: 1, lines: null }));
    // the map fits itself to the product's flows: those the service sent for it, not the document's lines
    expect(onProductFlows).toHaveBeenCalledTimes(1);
    expect(onProductFlows.mock.calls[0]?.[0]).toMatchObject({ productId: "P1", flows: [eastWest] });
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

  it("has the map ask the service for the flows of the lines the table lists", async () => {
    const { api, fetch } = stubService({
      "GET /api/v1/plans/8/flows": () => [
        200,
        {
          plan_id: 8,
          level: "store",
          total: 2,
          limit: 20000,
          flows: [eastWest, { ...eastWest, destination: "C", lines: 3 }],
        },
      ],
    });
    const onShown = vi.fn();
    const filter = { text: " P1 ", scope: "cross-cluster", status: "", store: "" };
    render(<FlowsOnMap api={api} Wrapper={withQueries()} productId={null} filter={filter} onShown={onShown} />);
    await waitFor(() => expect(onShown).toHaveBeenLastCalledWith({ level: "store", drawn: 2, total: 2, lines: 5 }));
    const asked = fetch.mock.calls.map(([r]) => new URL((r as Request).url).search);
    expect(asked).toEqual(["?level=store&q=P1&scope=cross-cluster&limit=20000"]);
  });
});

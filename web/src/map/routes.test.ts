import { describe, expect, it } from "vitest";
import { store, transferLine } from "../test/factories";
import { groupRoutes, resolveRoutes } from "./routes";

const stores = [store("A", 41, -93), store("B", 42, -93)];
const line = transferLine;

describe("routes", () => {
  it("leaves out lines to stores it cannot place, and keys lines by id or position", () => {
    const routes = resolveRoutes(
      [line(7, "P1", "A", "B", 5), line(null, "P2", "A", "B", 3), line(9, "P3", "A", "Z", 1)],
      stores,
    );
    expect(routes.map((r) => r.key)).toEqual(["t7", "i1"]);
    expect(routes[0]?.to).toEqual([42, -93]);
  });

  it("draws one line per direction of a store pair, its width the sum of its products", () => {
    const routes = resolveRoutes(
      [line(1, "P1", "A", "B", 5), line(2, "P2", "A", "B", 9), line(3, "P1", "B", "A", 2)],
      stores,
    );
    const groups = groupRoutes(routes);
    expect(groups).toHaveLength(2);
    expect(groups[0]).toMatchObject({ quantity: 14 });
    expect(groups[0]?.routes.map((r) => r.transfer.product_id)).toEqual(["P2", "P1"]);
    expect(groups[1]).toMatchObject({ quantity: 2, from: [42, -93] });
  });
});

import { describe, expect, it } from "vitest";
import { store, transferLine } from "../test/factories";
import { resolveRoutes } from "./routes";

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
});

/** The offline basemap carries lakes (Natural Earth) and city names (GeoNames), issue 11 part 3. */
import { render, waitFor } from "@testing-library/react";
import L, { type Map as LeafletMap } from "leaflet";
import { describe, expect, it, vi } from "vitest";
import { TestMap } from "../test/leaflet";
import { type City, DETAIL_ZOOM, countriesInView, loadBasemap } from "./basemap";
import { LABEL_LIMIT, visibleCities } from "./cityLabels";
import { BasemapLayer } from "./BasemapLayer";

describe("offline basemap", () => {
  it("loads Natural Earth's lakes and GeoNames' cities, each with the zoom it is named from", async () => {
    const b = await loadBasemap();
    expect(b.lakes.features.length).toBeGreaterThan(200);
    expect(b.lakes.features.every((f) => f.geometry.type === "Polygon" || f.geometry.type === "MultiPolygon")).toBe(
      true,
    );
    // far denser than Natural Earth's 243 places at 1:110m, which named no town in Iowa
    expect(b.cities.length).toBeGreaterThan(10_000);
    const named = new Map(b.cities.map((c) => [c[0], c]));
    expect(named.get("Chicago")?.[1]).toBeCloseTo(41.85, 1);
    expect(named.get("Chicago")?.[2]).toBeCloseTo(-87.65, 1);
    expect(named.get("Chicago")?.[3]).toBeLessThanOrEqual(4);
    expect(named.get("Des Moines")?.[3]).toBeLessThanOrEqual(6);
    expect(named.get("Ames")?.[3]).toBeLessThanOrEqual(8);
    expect(b.cities.every((c) => c[3] >= 3 && c[3] <= 8)).toBe(true);
  }, 20_000);

  it("draws the lakes and names the cities that fit the zoom and view, in a pane under the stores", async () => {
    // jsdom lays nothing out: give the map a screen's size, so it has a view to fill
    const size = vi.spyOn(L.Map.prototype, "getSize").mockReturnValue(L.point(800, 600));
    let map: LeafletMap | undefined;
    const { container } = render(
      <TestMap onMap={(m) => (map = m)} zoom={4}>
        <BasemapLayer />
      </TestMap>,
    );
    const labels = () => [...container.querySelectorAll(".leaflet-basemap-labels-pane .city-label")];
    const names = () => labels().map((l) => l.textContent);
    await waitFor(() => expect(names()).toContain("Chicago"), { timeout: 15_000 });
    expect(names()).not.toContain("Peoria"); // a smaller city near Chicago: named only zoomed in
    expect(labels().length).toBeLessThanOrEqual(LABEL_LIMIT);
    const pane = container.querySelector(".leaflet-basemap-labels-pane") as HTMLElement;
    expect(pane).toHaveStyle({ zIndex: "405", pointerEvents: "none" });
    let lakes = 0;
    map?.eachLayer((l) => {
      if (l instanceof L.Path && l.options.fillColor === "#cfe3ef") lakes += 1;
    });
    expect(lakes).toBeGreaterThan(200);
    size.mockRestore();
  }, 30_000);
});

describe("city names shown", () => {
  const cities: City[] = [
    ["Big", 40, -90, 3],
    ["Town", 40.5, -90.5, 8],
    ["Far", 10, 100, 3],
    ["Dateline", 40, 179.5, 3],
  ];
  const view = { south: 35, west: -95, north: 45, east: -85 };

  it("are those in view that fit at the zoom, the most populous first", () => {
    expect(visibleCities(cities, 4, view).map((c) => c[0])).toEqual(["Big"]);
    expect(visibleCities(cities, 8, view).map((c) => c[0])).toEqual(["Big", "Town"]);
    expect(visibleCities(cities, 8.5, view, 1).map((c) => c[0])).toEqual(["Big"]);
  });

  it("reach across the antimeridian and round the whole world", () => {
    const pacific = { south: 30, west: 170, north: 50, east: 190 };
    expect(visibleCities(cities, 4, pacific).map((c) => c[0])).toEqual(["Dateline"]);
    const world = { south: -80, west: -180, north: 80, east: 180 };
    expect(visibleCities(cities, 3, world).map((c) => c[0])).toEqual(["Big", "Far", "Dateline"]);
  });
});

describe("country outlines drawn", () => {
  it("are the 1:110m world at country scale, and zoomed in the 1:50m outlines of the countries in view", async () => {
    const b = await loadBasemap();
    const world = { south: -80, west: -180, north: 80, east: 180 };
    expect(countriesInView(b, DETAIL_ZOOM - 1, world)).toEqual({ key: "world", outlines: b.countries });
    const iowa = { south: 40, west: -97, north: 44, east: -90 };
    const near = countriesInView(b, DETAIL_ZOOM, iowa);
    const names = near.outlines.features.map((f) => f.properties?.name as string);
    expect(names).toContain("United States of America");
    expect(names).not.toContain("France");
    expect(names.length).toBeLessThan(5);
    expect(countriesInView(b, DETAIL_ZOOM + 2, iowa).key).toBe(near.key); // same outlines: nothing made again
    expect(countriesInView(b, DETAIL_ZOOM, { south: 45, west: 0, north: 50, east: 5 }).key).not.toBe(near.key);
  }, 20_000);
});

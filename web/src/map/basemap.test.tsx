/** The offline basemap carries lakes and city names (Natural Earth, issue 11 part 3). */
import { render, waitFor } from "@testing-library/react";
import L, { type Map as LeafletMap } from "leaflet";
import { describe, expect, it } from "vitest";
import { TestMap } from "../test/leaflet";
import { loadBasemap } from "./basemap";
import { BasemapLayer } from "./BasemapLayer";

describe("offline basemap", () => {
  it("loads Natural Earth's lakes and populated places with the outlines", async () => {
    const b = await loadBasemap();
    expect(b.lakes.features.length).toBeGreaterThan(200);
    expect(b.lakes.features.every((f) => f.geometry.type === "Polygon" || f.geometry.type === "MultiPolygon")).toBe(
      true,
    );
    expect(b.cities.length).toBe(243);
    const chicago = b.cities.find(([name]) => name === "Chicago");
    expect(chicago?.[1]).toBeCloseTo(41.85, 1);
    expect(chicago?.[2]).toBeCloseTo(-87.64, 1);
    expect(b.cities.map(([name]) => name)).toContain("Washington, D.C.");
  });

  it("draws the lakes and names the cities in a pane under the stores, taking no clicks", async () => {
    let map: LeafletMap | undefined;
    const { container } = render(
      <TestMap onMap={(m) => (map = m)}>
        <BasemapLayer />
      </TestMap>,
    );
    const named = () => {
      const tips: L.Tooltip[] = [];
      map?.eachLayer((l) => {
        const tip = l.getTooltip();
        if (tip?.options.permanent) tips.push(tip);
      });
      return tips;
    };
    await waitFor(() => expect(named()).toHaveLength(243), { timeout: 15_000 });
    expect(named().every((t) => t.options.pane === "basemap-labels" && t.options.className === "city-label")).toBe(
      true,
    );
    const at = named().map((t) => t.getLatLng() ?? L.latLng(0, 0));
    expect(at.some((p) => Math.abs(p.lat - 41.848) < 1e-3 && Math.abs(p.lng + 87.635) < 1e-3)).toBe(true); // Chicago
    const labels = container.querySelector(".leaflet-basemap-labels-pane") as HTMLElement;
    expect(labels).toHaveStyle({ zIndex: "405", pointerEvents: "none" });
    let lakes = 0;
    map?.eachLayer((l) => {
      if (l instanceof L.Path && l.options.fillColor === "#cfe3ef") lakes += 1;
    });
    expect(lakes).toBeGreaterThan(200);
  });
});

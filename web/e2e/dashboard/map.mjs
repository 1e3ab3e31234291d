// The map: signing in and planning, the flows it sums (clusters, stores, a product's, a store's),
// tooltips, zoom and fit, city names, and the bundled outlines when tiles are unreachable.
import assert from "node:assert/strict";
import { test } from "node:test";
import { number, page, runPlan, service, shot, signIn } from "./journey.mjs";

/** Where a place is drawn in the page: Web Mercator from the map's zoom and centre (data-zoom, data-center). */
async function pagePoint(lat, lon) {
  const map = page.locator(".map");
  const box = await map.boundingBox();
  const wrap = page.locator(".map-wrap[data-center]");
  const zoom = Number(await wrap.getAttribute("data-zoom"));
  const [cLat, cLon] = (await wrap.getAttribute("data-center")).split(",").map(Number);
  const scale = 256 * 2 ** zoom;
  const x = (l) => (scale * (l + 180)) / 360;
  const y = (l) => {
    const s = Math.sin((l * Math.PI) / 180);
    return scale * (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI));
  };
  return { x: box.x + box.width / 2 + x(lon) - x(cLon), y: box.y + box.height / 2 + y(lat) - y(cLat) };
}

/** Of the stores that `keep`, the one farthest from any other store. */
function loneliest(stores, keep = () => true) {
  const gap = (s) => Math.min(...stores.filter((o) => o !== s).map((o) => Math.hypot(o.lat - s.lat, o.lon - s.lon)));
  return stores.filter(keep).reduce((best, s) => (gap(s) > gap(best) ? s : best));
}

/** A planner signs in and plans; the map draws the plan's flows. */
export function planOnTheMap() {
  test("a planner signs in, plans, and sees the routes on the map", async () => {
    await signIn(service.adminKey);
    const map = page.locator(".map-wrap[data-stores]");
    await map.waitFor();
    assert.equal(await map.getAttribute("data-stores"), "40");
    assert.equal(await map.getAttribute("data-basemap"), "outlines");
    await page.locator(".leaflet-overlay-pane path, .leaflet-overlay-pane canvas").first().waitFor();
    // The offline basemap names cities (GeoNames' places, those that fit at the zoom) under the stores.
    await page.locator(".leaflet-basemap-labels-pane .city-label", { hasText: /^Chicago$/ }).waitFor();
    await shot("02-signed-in");

    await runPlan({ Target: "cluster-mean", "Distance limit (km)": "2000" });
    await page.getByText("Status: completed").waitFor({ timeout: 60_000 });
    await page.locator('.map-wrap[data-flow-level]:not([data-flow-level=""])').waitFor();
    const planId = await page.getByLabel("Plan shown").inputValue();
    const level = await map.getAttribute("data-flow-level");
    const pairs = await service.api("GET", `/api/v1/plans/${planId}/flows?level=${level}&limit=20000`);
    const drawn = Number(await map.getAttribute("data-flows"));
    assert.ok(drawn > 0, "the plan draws flows");
    assert.equal(drawn, pairs.body.flows.length, "one line per pair the service sums");
    // The plan's settings in its header and in the picker.
    const settings = await page.getByLabel("Plan settings").innerText();
    assert.match(settings, /Target\s+cluster-mean/);
    assert.match(settings, /Distance limit\s+2,000 km/);
    assert.match(settings, /Pack size\s+1 unit\b/);
    const option = await page.getByLabel("Plan shown").locator("option:checked").innerText();
    assert.match(option, new RegExp(`^#${planId} · completed · Greedy, cluster-mean, ≤ 2,000 km · `));
    await shot("03-plan");
  });
}

/** Flows at each level, the tooltips, zooming and fitting the chain. */
export function flowsAndTooltips() {
  test("the map sums the lines into flows: clusters at country scale, stores zoomed in or for a product or a store", async () => {
    const map = page.locator(".map-wrap[data-stores]");
    const planId = await page.getByLabel("Plan shown").inputValue();
    const flowsOf = async (query) =>
      (await service.api("GET", `/api/v1/plans/${planId}/flows?limit=20000&${query}`)).body;
    const levelIs = (level) =>
      page.waitForFunction((l) => document.querySelector(".map-wrap").dataset.flowLevel === l, level);
    await page.getByRole("button", { name: "Fit all stores" }).click();
    await page.waitForTimeout(400);
    assert.ok(Number(await map.getAttribute("data-zoom")) < 7, "the whole chain is country scale");
    await levelIs("cluster");
    const clusters = await flowsOf("level=cluster");
    assert.equal(Number(await map.getAttribute("data-flows")), clusters.flows.length);
    assert.match(await page.getByTestId("flows-note").innerText(), /cluster to cluster/);

    // Each cluster's radius, and the clusters whose intra-cluster lines run past the distance set (server.mjs) named.
    const doc = (await service.api("GET", `/api/v1/plans/${planId}`)).body;
    const warnKm = (await service.api("GET", "/api/v1/config")).body.intra_cluster_warn_km;
    const legend = await page.getByLabel("Map legend").innerText();
    for (const c of doc.clusters) {
      const km = c.radius_km.toLocaleString("en-GB", { maximumFractionDigits: 1 });
      assert.match(legend, new RegExp(`${c.cluster}\\s*r ${km} km`), `cluster ${c.cluster}'s radius ${km} km is shown`);
    }
    const clusterOf = new Map(doc.stores.map((s) => [s.store_id, s.cluster]));
    const long = doc.transfers.filter((t) => t.scope === "intra-cluster" && t.distance_km > warnKm);
    assert.ok(long.length > 0, `the demo chain's clusters have intra-cluster lines over ${warnKm} km`);
    const warning = await page.getByTestId("reach-warning").innerText();
    const wide = [...new Set(long.map((t) => clusterOf.get(t.from_store)))];
    const wideNamed = wide.filter((c) => new RegExp(`cluster ${c} \\(`).test(warning));
    assert.equal(wideNamed.length, Math.min(wide.length, 3), `the widest clusters of ${wide.join(", ")} are named`);
    if (wide.length > 3) assert.match(warning, new RegExp(`and ${wide.length - 3} more`));

    // A click on a flow between two clusters says what it carries (flows may cross: any it names).
    const cross = clusters.flows.find((f) => f.origin !== f.destination);
    const a = await pagePoint(cross.origin_lat, cross.origin_lon);
    const b = await pagePoint(cross.destination_lat, cross.destination_lon);
    await page.mouse.click(a.x + (b.x - a.x) * 0.45, a.y + (b.y - a.y) * 0.45);
    const popup = page.locator(".leaflet-popup .flow-popup");
    await popup.waitFor();
    const [, from, to, units] = (await popup.innerText()).match(/^Cluster (\S+) → (\S+)\n([\d,]+) units? in/);
    const named = clusters.flows.find((f) => f.origin === from && f.destination === to);
    assert.ok(named, `the popup names a pair the service sums (${from} → ${to})`);
    assert.equal(number(units), named.units);
    await shot("03c-cluster-flows");
    await page.keyboard.press("Escape");

    // A product narrows the flows to its own, store to store, and the map fits itself to them (from
    // the service's flows; zoomed in first, so some of their ends were off screen).
    const product = (await service.api("GET", `/api/v1/plans/${planId}`)).body.transfers[0].product_id;
    const productFlows = await flowsOf(`level=store&product_id=${product}`);
    await page.getByRole("button", { name: "Zoom in" }).click();
    await page.getByRole("button", { name: "Zoom in" }).click();
    await page.waitForTimeout(600);
    await page.getByLabel("Product shown").selectOption(product);
    await levelIs("store");
    await page.waitForFunction(
      (n) => document.querySelector(".map-wrap").dataset.flowTotal === String(n),
      productFlows.total,
    );
    const ends = productFlows.flows.flatMap((f) => [
      [f.origin_lat, f.origin_lon],
      [f.destination_lat, f.destination_lon],
    ]);
    const mapBox = await page.locator(".map").boundingBox();
    const onMap = async () => {
      for (const [lat, lon] of ends) {
        const q = await pagePoint(lat, lon);
        const inside =
          q.x >= mapBox.x && q.x <= mapBox.x + mapBox.width && q.y >= mapBox.y && q.y <= mapBox.y + mapBox.height;
        if (!inside) return false;
      }
      return true;
    };
    for (let i = 0; i < 30 && !(await onMap()); i++) await page.waitForTimeout(200);
    assert.ok(await onMap(), "the map fits every end of the product's flows");
    await page.getByLabel("Product shown").selectOption("");
    // The map zoomed to the product's lines: back to the whole chain.
    await page.getByRole("button", { name: "Fit all stores" }).click();
    await levelIs("cluster");

    // A store clicked on the map narrows them to the lines to and from it (one standing alone, so the click is its).
    const stores = (await service.api("GET", "/api/v1/stores?limit=1000")).body.items;
    const moving = new Set((await flowsOf("level=store")).flows.flatMap((f) => [f.origin, f.destination]));
    const chosen = loneliest(stores, (s) => moving.has(s.store_id));
    const p = await pagePoint(chosen.lat, chosen.lon);
    await page.mouse.click(p.x, p.y);
    await levelIs("store");
    const storeFlows = await flowsOf(`level=store&store_id=${chosen.store_id}`);
    await page.waitForFunction(
      (n) => document.querySelector(".map-wrap").dataset.flowTotal === String(n),
      storeFlows.total,
    );
    assert.match(await page.getByTestId("flows-note").innerText(), new RegExp(`to and from store ${chosen.store_id}`));
    await shot("03d-store-flows");
    await page.getByRole("button", { name: "Show all stores' flows" }).click();
    await levelIs("cluster");

    // Zoomed in to a region: store to store.
    for (let i = 0; i < 8 && Number(await map.getAttribute("data-zoom")) < 7; i++) {
      await page.getByRole("button", { name: "Zoom in" }).click();
      await page.waitForTimeout(300);
    }
    await levelIs("store");
    await page.getByRole("button", { name: "Fit all stores" }).click();
    await levelIs("cluster");
  });

  test("a store's tooltip sits above the store markers", async () => {
    // The store farthest from any other, so the mouse points at it alone.
    const stores = (await service.api("GET", "/api/v1/stores?limit=1000")).body.items;
    const lonely = loneliest(stores);
    const p = await pagePoint(lonely.lat, lonely.lon);
    await page.mouse.move(p.x, p.y);
    const tip = page.locator(".leaflet-tooltip-pane .leaflet-tooltip");
    await tip.waitFor();
    assert.match(await tip.innerText(), new RegExp(`\\(${lonely.store_id}\\)`));
    // Drawn over every canvas: its pane is stacked above each pane that holds one (tooltips take no clicks,
    // so hit testing cannot tell).
    const stacking = await tip.evaluate((t) => {
      const z = (e) => Number(getComputedStyle(e).zIndex);
      const canvases = [...document.querySelectorAll(".leaflet-map-pane > .leaflet-pane")].filter((p) =>
        p.querySelector("canvas"),
      );
      return { tip: z(t.parentElement), highest: Math.max(...canvases.map(z)) };
    });
    assert.ok(
      stacking.tip > stacking.highest,
      `tooltip pane z ${stacking.tip} over canvas panes up to ${stacking.highest}`,
    );
    await shot("03e-store-tooltip");
    await page.mouse.move(5, 5);
  });

  test("a cluster's tooltip shows on hover, over the stores' canvas, and a store's takes over on its marker", async () => {
    const planId = await page.getByLabel("Plan shown").inputValue();
    const doc = (await service.api("GET", `/api/v1/plans/${planId}`)).body;
    const at = new Map(doc.stores.map((s) => [s.store_id, s]));
    // A cluster of several stores, pointed at between them (inside its outline, on no store).
    const cluster = doc.clusters
      .filter((c) => c.store_ids.length >= 3)
      .sort((a, b) => b.store_ids.length - a.store_ids.length)[0];
    const own = cluster.store_ids.map((id) => at.get(id));
    const points = await Promise.all(doc.stores.map((s) => pagePoint(s.lat, s.lon)));
    const clear = (q) => points.every((p) => Math.hypot(p.x - q.x, p.y - q.y) > 18);
    const mine = await Promise.all(own.map((s) => pagePoint(s.lat, s.lon)));
    const centre = {
      x: mine.reduce((a, p) => a + p.x, 0) / mine.length,
      y: mine.reduce((a, p) => a + p.y, 0) / mine.length,
    };
    const candidates = [
      centre,
      ...mine.flatMap((p, i) => mine.slice(i + 1).map((q) => ({ x: (p.x + q.x) / 2, y: (p.y + q.y) / 2 }))),
    ];
    const spot = candidates.find(clear);
    assert.ok(spot, `a point of cluster ${cluster.cluster} on no store`);
    await page.mouse.move(spot.x, spot.y);
    await page.mouse.move(spot.x + 1, spot.y + 1);
    const tip = page.locator(".leaflet-tooltip-pane .leaflet-tooltip");
    await tip.waitFor();
    assert.match(await tip.innerText(), /^Cluster \S+: \d+ stores, radius [\d.]+ km$/);
    await shot("03f-cluster-tooltip");
    // On a store (inside its cluster's outline too), the store's tooltip alone.
    const lonely = loneliest(doc.stores);
    const onStore = await pagePoint(lonely.lat, lonely.lon);
    await page.mouse.move(onStore.x, onStore.y);
    await page.mouse.move(onStore.x + 1, onStore.y);
    // A tooltip closed fades out for 200 ms before it leaves the page.
    const texts = () => page.locator(".leaflet-tooltip-pane .leaflet-tooltip").allInnerTexts();
    const alone = (t) => t.length === 1 && t[0].includes(`(${lonely.store_id})`);
    for (let i = 0; i < 30 && !alone(await texts()); i++) await page.waitForTimeout(100);
    const shown = await texts();
    assert.equal(shown.length, 1, `one tooltip: ${shown.join(" | ")}`);
    assert.match(shown[0], new RegExp(`\\(${lonely.store_id}\\)`));
    await page.mouse.move(5, 5);
    await tip.waitFor({ state: "detached" });
  });

  test("'Fit all stores' brings the whole chain back after zooming in", async () => {
    const zoom = async () => Number(await page.locator(".map-wrap[data-zoom]").getAttribute("data-zoom"));
    const zoomIs = (z) =>
      page.waitForFunction((z) => document.querySelector(".map-wrap").dataset.zoom === String(z), z);
    await page.getByRole("button", { name: "Zoom in" }).click();
    await page.locator(".map-wrap[data-zoom]").waitFor({ state: "attached" });
    await page.waitForTimeout(500);
    const start = await zoom();
    const cityNames = () => page.locator(".leaflet-basemap-labels-pane .city-label").allInnerTexts();
    const before = new Set(await cityNames());
    await page.getByRole("button", { name: "Zoom in" }).click();
    await zoomIs(start + 1);
    await page.getByRole("button", { name: "Zoom in" }).click();
    await zoomIs(start + 2);
    // Zoomed in, smaller places are named too (each city from the zoom its label fits at).
    await page.waitForTimeout(400);
    const closer = await cityNames();
    assert.ok(
      closer.some((n) => !before.has(n)),
      `towns named zoomed in (${closer.slice(0, 8).join(", ")})`,
    );
    await shot("03a-city-names");
    await page.getByRole("button", { name: "Fit all stores" }).click();
    await page.waitForFunction((z) => Number(document.querySelector(".map-wrap").dataset.zoom) < z, start + 2);
    assert.ok((await zoom()) <= start, "back to the whole chain's zoom or wider");
    await shot("03b-fit-all");
  });
}

/** Tiles unreachable: the bundled outlines. */
export function offlineTiles() {
  test("when the tile server cannot be reached, the bundled outlines are drawn instead", async () => {
    // The configured tile URL points at a closed loopback port, as tiles do on an offline machine.
    const dead = "http://127.0.0.1:9/{z}/{x}/{y}.png";
    await page.route("**/api/v1/config", (route) =>
      route.fulfill({ json: { version: "e2e", tile_url: dead, tile_attribution: "unreachable tiles" } }),
    );
    const tileRequests = [];
    page.on("request", (r) => r.url().startsWith("http://127.0.0.1:9/") && tileRequests.push(r.url()));
    await page.reload();
    await page.locator('.map-wrap[data-basemap="outlines"]').waitFor();
    assert.ok(tileRequests.length >= 3, "the dashboard tried the configured tiles first");
    await page.locator(".leaflet-overlay-pane path, .leaflet-overlay-pane canvas").first().waitFor();
    await shot("16-tiles-unavailable");
    await page.unroute("**/api/v1/config");
  });
}

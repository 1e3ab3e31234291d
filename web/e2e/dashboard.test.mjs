// The planner's journey through the dashboard in headless Chromium against a real service:
// a wrong key is refused, sign in, run a plan and read its settings, see its flows (clusters,
// stores, a product's, a store's) with city names, lakes and each cluster's reach on the map,
// filter and select, execute (the dialog keeps focus), receive, see stock change, a stale plan
// is flagged and refused (409) naming store and product, a backtest compares the policies and
// plans with the winner, a viewer sees Run and Execute disabled with the reason.
// Screenshots of each view land in web/test-results/.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startService } from "./server.mjs";
import { countIsNot, describe, heapMiB, listed, listsOnly, timed, typeInto } from "./timing.mjs";

const shots = resolve(dirname(fileURLToPath(import.meta.url)), "..", "test-results");
mkdirSync(shots, { recursive: true });

let service;
let browser;
let page;

const shot = (name) => page.screenshot({ path: join(shots, `${name}.png`) });
const number = (text) => Number(text.replace(/[^0-9]/g, ""));

async function chainStock() {
  const text = await page.getByLabel("Chain stock").innerText();
  const [onHand, inTransit] = text.match(/\d[\d,]*/g).map(number);
  return { onHand, inTransit };
}

/** Wait until the page shows `units` in transit: the totals follow the event stream and refetches. */
async function waitForInTransit(units) {
  await page.waitForFunction((expected) => {
    const text = document.querySelector('[aria-label="Chain stock"]')?.textContent ?? "";
    const numbers = (text.match(/\d[\d,]*/g) ?? []).map((x) => Number(x.replace(/,/g, "")));
    return numbers[1] === expected;
  }, units);
}

async function signIn(key) {
  await page.goto(service.url);
  await page.getByLabel("API key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function runPlan(fill = {}) {
  const form = page.getByRole("form", { name: "Plan parameters" });
  for (const [label, value] of Object.entries(fill)) {
    const field = form.getByLabel(label, { exact: true });
    if ((await field.evaluate((el) => el.tagName)) === "SELECT") await field.selectOption(value);
    else await field.fill(value);
  }
  await page.getByRole("button", { name: "Run plan" }).click();
}

before(async () => {
  service = await startService();
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-background-networking",
      "--headless",
      "--disable-gpu",
      "--disable-component-update",
      "--no-first-run",
    ],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(10_000);
});

after(async () => {
  await browser?.close();
  await service?.stop();
});

test("a wrong key is refused with a message, not a blank page", async () => {
  await signIn("ssk_not-a-real-key");
  const alert = page.getByRole("alert");
  await alert.waitFor();
  assert.match(await alert.innerText(), /Key not accepted/);
  await shot("01-wrong-key");
});

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
  const zoomIs = (z) => page.waitForFunction((z) => document.querySelector(".map-wrap").dataset.zoom === String(z), z);
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

test("the transfers table filters, and a row highlights its route", async () => {
  const rows = page.locator("table.data tbody tr:not(.spacer)");
  const product = (await rows.first().locator("td").first().innerText()).trim();
  await page.getByLabel("Filter transfers by product or store").fill(product);
  // The service filters once typing pauses; then the table lists, and the map draws, the same lines.
  await page.waitForFunction((product) => {
    const cells = [...document.querySelectorAll("table.data tbody tr[id] td:first-child")];
    const listed = document.querySelector('section[aria-label="Transfers"] .pager span')?.textContent ?? "";
    const drawn = document.querySelector(".map-wrap[data-stores]")?.dataset.routes;
    return (
      cells.length > 0 &&
      cells.every((c) => c.textContent.includes(product)) &&
      Number(listed.replace(/[^0-9]/g, "")) === Number(drawn)
    );
  }, product);
  await rows.first().click();
  await page.locator("table.data tbody tr:not(.spacer).selected").waitFor();
  assert.notEqual(await page.locator(".map-wrap[data-stores]").getAttribute("data-selected-route"), "");
  await shot("04-filtered-selected");
  await page.getByLabel("Filter transfers by product or store").fill("");
});

test("interaction timings on the demo plan (performance marks, reported in the test output)", async (t) => {
  const filter = 'input[aria-label="Filter transfers by product or store"]';
  const product = (await page.locator("table.data tbody tr[id]").first().locator("td").first().innerText()).trim();
  const figures = {
    "filter (type a product)": await timed(page, "filter", typeInto(filter, product), listsOnly(product)),
    "clear the filter": await timed(page, "unfilter", typeInto(filter, ""), countIsNot(await listed(page))),
    "sort by distance": await timed(
      page,
      "sort",
      () => [...document.querySelectorAll("button.sort")].find((b) => b.textContent.startsWith("Distance")).click(),
      () => document.querySelector('th[aria-sort="descending"]')?.textContent.startsWith("Distance") === true,
    ),
    "select a row": await timed(
      page,
      "row",
      () => document.querySelector("table.data tbody tr[id]").click(),
      () => document.querySelector("table.data tbody tr.selected") !== null,
    ),
    "switch tab": await timed(
      page,
      "tab",
      () => document.getElementById("tab-warehouse-orders").click(),
      () =>
        document.querySelector(
          'section[aria-label="Warehouse orders"] table, section[aria-label="Warehouse orders"] .empty',
        ) !== null,
    ),
    "switch back": await timed(
      page,
      "tab-back",
      () => document.getElementById("tab-transfers").click(),
      () => document.querySelector("table.data tbody tr[id]") !== null,
    ),
  };
  const select = page.getByLabel("Product shown");
  const start = await page.evaluate(() => performance.now());
  await select.selectOption(product);
  await page.locator(".map-wrap[data-stores]").waitFor();
  figures["select a product (incl. the browser round trip)"] = (await page.evaluate(() => performance.now())) - start;
  await select.selectOption("");
  // Put the table back as the later tests expect it: sorted by units, nothing selected.
  await page.getByRole("button", { name: /^Units/ }).click();
  if ((await page.getByRole("columnheader", { name: /Units/ }).getAttribute("aria-sort")) !== "descending") {
    await page.getByRole("button", { name: /^Units/ }).click();
  }
  await page.waitForFunction(() => document.querySelector(".pager .loading") === null);
  figures["JS heap used after GC (MiB)"] = await heapMiB(page);
  for (const line of describe(figures)) t.diagnostic(line);
});

test("both tables download as CSV for spreadsheets and ERP import", async () => {
  const read = async (button) => {
    const [download] = await Promise.all([page.waitForEvent("download"), button.click()]);
    return { name: download.suggestedFilename(), text: readFileSync(await download.path(), "utf8") };
  };
  const transfers = await read(page.getByRole("button", { name: "Download CSV" }));
  assert.match(transfers.name, /^transfers-\d+\.csv$/);
  const lines = transfers.text.trim().split("\r\n");
  assert.equal(lines[0], "transfer_id,product_id,from_store,to_store,quantity,distance_km,scope,status");
  const kpiLines = number(await page.locator(".kpi", { hasText: "Transfer lines" }).locator("dd").innerText());
  assert.equal(lines.length - 1, kpiLines, "every line of the plan, not just the page shown");

  // A filtered download holds the lines shown and is named after the filter.
  await page.getByLabel("Scope").selectOption("intra-cluster");
  const intra = await read(page.getByRole("button", { name: "Download CSV" }));
  assert.match(intra.name, /^transfers-\d+-intra-cluster\.csv$/);
  const intraLines = intra.text.trim().split("\r\n").slice(1);
  assert.ok(intraLines.length > 0 && intraLines.every((l) => l.includes(",intra-cluster,")));
  await page.getByLabel("Scope").selectOption("");

  // The whole header cell sorts, not only its text: click the cell's far corner.
  const units = page.getByRole("columnheader", { name: /Units/ });
  const before = await units.getAttribute("aria-sort");
  const box = await units.boundingBox();
  await page.mouse.click(box.x + 3, box.y + box.height - 3);
  assert.notEqual(await units.getAttribute("aria-sort"), before, "a click anywhere in the cell changes the sort");
  await page.mouse.click(box.x + 3, box.y + box.height - 3);
  assert.equal(await units.getAttribute("aria-sort"), before);

  await page.getByRole("tab", { name: "Warehouse orders" }).click();
  const orders = await read(page.getByRole("button", { name: "Download CSV" }));
  assert.equal(orders.text.split("\r\n")[0], "product_id,store_id,quantity,reason");
  await shot("05-warehouse-orders");
  await page.getByRole("tab", { name: "Transfers" }).click();
});

test("executing names what moves, then stock goes in transit", async () => {
  const before = await chainStock();
  assert.equal(before.inTransit, 0);
  const unitsMoved = number(await page.locator(".kpi", { hasText: "Units moved" }).locator("dd").innerText());

  // The dialog keeps the keyboard inside and gives focus back to the button that opened it.
  const opener = page.getByRole("button", { name: "Execute plan…" });
  await opener.click();
  const dialog = page.getByRole("dialog");
  const focusedLabel = () => page.evaluate(() => document.activeElement?.textContent ?? "");
  assert.equal(await focusedLabel(), "Cancel");
  for (let i = 0; i < 3; i++) await page.keyboard.press("Tab");
  assert.ok(await dialog.evaluate((d) => d.contains(document.activeElement)), "Tab stays in the dialog");
  await page.keyboard.press("Shift+Tab");
  assert.ok(await dialog.evaluate((d) => d.contains(document.activeElement)), "Shift+Tab stays in the dialog");
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "detached" });
  assert.equal(await focusedLabel(), "Execute plan…", "focus is back on Execute");
  await opener.click();
  assert.match(await dialog.innerText(), new RegExp(`${unitsMoved.toLocaleString("en-GB")} units`));
  await shot("06-confirm-execute");
  await dialog.getByRole("button", { name: /^Dispatch/ }).click();
  await page.getByText("Plan executed.").waitFor();
  await page.getByText("Status: executed").waitFor();

  await waitForInTransit(unitsMoved);
  const afterExecute = await chainStock();
  assert.equal(afterExecute.onHand, before.onHand - unitsMoved);
  assert.equal(afterExecute.onHand + afterExecute.inTransit, before.onHand, "the chain's total is unchanged");
  await shot("07-executed");
});

test("receiving a line puts its units on hand at the destination", async () => {
  const before = await chainStock();
  const first = page
    .locator("table.data tbody tr:not(.spacer)", { has: page.getByRole("button", { name: "Receive" }) })
    .first();
  const row = page.locator(`[id="${await first.getAttribute("id")}"]`);
  const quantity = number(await row.locator("td.num").first().innerText());
  await row.getByRole("button", { name: "Receive" }).click();
  await page.getByText(/is now on hand at its destination/).waitFor();
  await row.getByText("received", { exact: true }).waitFor();
  await waitForInTransit(before.inTransit - quantity);
  const after = await chainStock();
  assert.equal(after.onHand, before.onHand + quantity);
  await shot("08-received");
});

test("cancelling a line in transit returns its units to the source", async () => {
  const before = await chainStock();
  const first = page
    .locator("table.data tbody tr:not(.spacer)", { has: page.getByRole("button", { name: "Cancel…" }) })
    .first();
  const row = page.locator(`[id="${await first.getAttribute("id")}"]`);
  const quantity = number(await row.locator("td.num").first().innerText());
  await row.getByRole("button", { name: "Cancel…" }).click();
  await row.getByRole("button", { name: "Yes, cancel" }).click();
  await row.getByText("cancelled", { exact: true }).waitFor();
  await waitForInTransit(before.inTransit - quantity);
  const after = await chainStock();
  assert.equal(after.onHand, before.onHand + quantity);
  assert.equal(after.onHand + after.inTransit, before.onHand + before.inTransit, "the chain's total is unchanged");
});

test("a delivery to one store is received in one request, and lines leaving it stay in transit", async () => {
  const before = await chainStock();
  const [shown] = (await service.api("GET", "/api/v1/plans?limit=1")).body.items;
  const dispatched = (
    await service.api("GET", `/api/v1/transfers?plan_id=${shown.plan_id}&status=dispatched&limit=10000`)
  ).body.items;
  const count = (store, end) => dispatched.filter((t) => t[end] === store).length;
  // the store with the most lines in transit that both sends and receives
  const store = [...new Set(dispatched.map((t) => t.to_store))]
    .filter((s) => count(s, "from_store") > 0)
    .sort((a, b) => count(b, "to_store") + count(b, "from_store") - count(a, "to_store") - count(a, "from_store"))[0];
  assert.ok(store, "the executed plan has a store that both sends and receives");
  const arriving = dispatched.filter((t) => t.to_store === store);
  const leaving = dispatched.filter((t) => t.from_store === store);
  const units = arriving.reduce((a, t) => a + t.quantity, 0);

  const posts = [];
  const onRequest = (r) => {
    if (r.method() === "POST" && r.url().includes("/api/v1/transfers/")) posts.push(new URL(r.url()).pathname);
  };
  page.on("request", onRequest);
  await page.getByLabel("Filter transfers by product or store").fill(store);
  await page.getByRole("button", { name: `Receive ${arriving.length} arriving at ${store}…` }).click();
  const question = await page.getByRole("group", { name: `Receive the lines arriving at ${store}?` }).innerText();
  assert.match(
    question,
    new RegExp(`Receive ${arriving.length} lines \\(${units.toLocaleString("en-GB")} units\\) arriving at ${store}\\?`),
  );
  await shot("09-receive-delivery");
  await page.getByRole("button", { name: "Yes, receive" }).click();
  await page.getByText(new RegExp(`lines \\(.*units\\) are now on hand at ${store}`)).waitFor();
  await waitForInTransit(before.inTransit - units);
  page.off("request", onRequest);
  assert.deepEqual(posts, ["/api/v1/transfers/receive"], "one request for the whole delivery");
  assert.equal((await chainStock()).onHand, before.onHand + units);
  const status = async (t) => (await service.api("GET", `/api/v1/transfers/${t.transfer_id}`)).body.status;
  for (const t of arriving) assert.equal(await status(t), "received");
  for (const t of leaving) assert.equal(await status(t), "dispatched", `line ${t.transfer_id} leaves ${store}`);
  await page.getByLabel("Filter transfers by product or store").fill("");
});

/** True when the element's box lies inside the viewport's width (it may be further down the page). */
async function withinWidth(locator, width) {
  const box = await locator.boundingBox();
  assert.ok(box, "the element is rendered");
  return box.x >= 0 && box.x + box.width <= width + 0.5;
}

test("at 1024 x 768 Sign out, Download CSV and every table column are on screen", async () => {
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.getByRole("tab", { name: "Transfers" }).click();
  assert.equal(
    await page.evaluate(() => document.documentElement.scrollWidth),
    1024,
    "the page does not scroll sideways",
  );
  assert.ok(await withinWidth(page.getByRole("button", { name: "Sign out" }), 1024), "Sign out is on screen");
  const download = page.getByRole("button", { name: "Download CSV" });
  await download.scrollIntoViewIfNeeded();
  assert.ok(await withinWidth(download, 1024), "Download CSV is on screen");
  // A column the panel cannot fit scrolls into view inside the panel, not off the page.
  const headers = page.locator("table.data thead th");
  const count = await headers.count();
  assert.ok(count >= 8);
  for (let i = 0; i < count; i++) {
    const cell = headers.nth(i);
    await cell.scrollIntoViewIfNeeded();
    assert.ok(await withinWidth(cell, 1024), `column ${i + 1} of ${count} can be reached`);
  }
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot("12-1024x768");
});

test("on a 390 x 844 phone a planner reviews the lines and receives one", async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.evaluate(() => window.scrollTo(0, 0));
  // Name what sticks out past the phone's edge: the outermost boxes wider than the screen.
  const wide = await page.evaluate(() => {
    const out = (e) => e.getBoundingClientRect().right > 390.5;
    return (
      [...document.querySelectorAll("body *")]
        .filter((e) => out(e) && (e.parentElement === null || !out(e.parentElement)))
        // The map clips its own layers and the tab panel scrolls its table.
        .filter((e) => e.closest(".leaflet-container") === null && e.parentElement?.closest(".tab-panel") == null)
        .slice(0, 5)
        .map((e) => `${e.tagName.toLowerCase()}.${e.className} ${Math.round(e.getBoundingClientRect().right)}px`)
    );
  });
  assert.deepEqual(wide, [], "nothing is wider than the phone");
  assert.equal(
    await page.evaluate(() => document.documentElement.scrollWidth),
    390,
    "the page does not scroll sideways",
  );
  assert.ok(await withinWidth(page.getByRole("button", { name: "Sign out" }), 390), "Sign out is on screen");
  const map = page.locator(".map-wrap[data-stores]");
  const mapBox = await map.boundingBox();
  assert.ok(mapBox && mapBox.width <= 390 && mapBox.height >= 250, "the map fits the phone's width");
  await shot("13-phone-map");

  await page.getByLabel("Status").selectOption("dispatched");
  const first = page
    .locator("table.data tbody tr:not(.spacer)", { has: page.getByRole("button", { name: "Receive" }) })
    .first();
  const row = page.locator(`[id="${await first.getAttribute("id")}"]`);
  const receive = row.getByRole("button", { name: "Receive" });
  await receive.scrollIntoViewIfNeeded();
  assert.ok(await withinWidth(receive, 390), "a line's Receive button can be reached");
  await shot("14-phone-review");
  await receive.click();
  await page.getByText(/is now on hand at its destination/).waitFor();
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot("15-phone-received");
  await page.getByLabel("Status").selectOption("");
  await page.setViewportSize({ width: 1280, height: 900 });
});

test("a plan made stale by a stock change is flagged before Execute, and refused with a 409 naming store and product", async () => {
  await runPlan();
  await page.getByText("Status: completed").waitFor({ timeout: 60_000 });
  const planId = await page.getByLabel("Plan shown").inputValue();
  const plan = await service.api("GET", `/api/v1/plans/${planId}`);
  const line = plan.body.transfers[0];
  assert.ok(line, "the second plan has lines");
  const stock = await service.api("GET", `/api/v1/inventory?store_id=${line.from_store}&product_id=${line.product_id}`);
  const onHand = stock.body.items[0].on_hand;
  const adjusted = await service.api("POST", "/api/v1/inventory/adjustments", {
    store_id: line.from_store,
    product_id: line.product_id,
    delta: -onHand,
    reason: "e2e: stock counted short",
  });
  assert.equal(adjusted.status, 201);

  // Flagged before Execute: the stock event has the page check the plan again, naming the source.
  const named = new RegExp(`store ${line.from_store} holds 0 of ${line.product_id}, its lines take [\\d,]+`);
  const warning = page.locator('.stock-warning[data-severity="refused"]');
  await warning.waitFor();
  assert.match(await warning.innerText(), named);
  await shot("09-stale-plan-flagged");
  await page.getByRole("button", { name: "Execute plan…" }).click();
  const dialog = page.getByRole("dialog");
  assert.match(await dialog.innerText(), named, "the dialog says it again");
  await dialog.getByRole("button", { name: /^Dispatch/ }).click();
  const alert = page.getByRole("alert");
  await alert.waitFor();
  assert.match(await alert.innerText(), /Conflict: nothing was changed/);
  assert.match(
    await alert.innerText(),
    new RegExp(`store ${line.from_store} holds 0 of product ${line.product_id}, its lines take \\d+`),
  );
  await shot("09-stale-plan-409");
});

test("charts: sales with forecast and target, the elbow curve and the clusters", async () => {
  const product = (
    await page.locator("table.data tbody tr:not(.spacer)").first().locator("td").first().innerText()
  ).trim();
  await page.getByLabel("Product shown").selectOption(product);
  await page.getByRole("tab", { name: "Insight" }).click();
  const store = await page.getByLabel("Store for the chart").locator("option").nth(1).getAttribute("value");
  await page.getByLabel("Store for the chart").selectOption(store);
  await page.locator("figure.chart .recharts-surface").first().waitFor();
  await shot("10-insight");
  await page.getByRole("tab", { name: "Clusters" }).click();
  await page.getByRole("table", { name: "Cluster summary" }).waitFor();
  await shot("11-clusters");
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.getByRole("tab", { name: "Transfers" }).click();
  // The map's canvases follow the wider box once Leaflet has been told of the resize.
  await page.waitForFunction(() => {
    const canvas = document.querySelector(".leaflet-overlay-pane canvas");
    const map = document.querySelector(".map");
    return canvas !== null && map !== null && canvas.getBoundingClientRect().width >= map.clientWidth;
  });
  await shot("11-large-screen");
  // The store chosen for the chart narrows the transfers table too (the service's store_id), until cleared.
  const chip = page.getByRole("button", { name: `Only lines of store ${store}: show every store's lines` });
  await chip.waitFor();
  await page.waitForFunction(() => document.querySelector('section[aria-label="Transfers"] .loading') === null);
  const ends = await page
    .locator("table.data tbody tr[id]")
    .evaluateAll((rows) => rows.map((r) => [r.cells[1].textContent, r.cells[2].textContent]));
  assert.ok(
    ends.every(([from, to]) => from === store || to === store),
    `every line leaves or reaches ${store}`,
  );
  await chip.click();
  await chip.waitFor({ state: "detached" });
  await page.setViewportSize({ width: 1280, height: 900 });
});

test("a backtest on the database's history compares the policies, and one click plans with the winner", async () => {
  await page.getByRole("tab", { name: "Backtest" }).click();
  // The last test's 409 is still on screen: dismiss it, so any alert from here is the backtest's.
  const dismiss = page.getByRole("button", { name: "Dismiss message" });
  if ((await dismiss.count()) > 0) await dismiss.click();
  await page.getByLabel("Weeks", { exact: true }).fill("4");
  await page.getByRole("button", { name: "Run backtest" }).click();
  const table = page.getByRole("table", { name: "Backtest result per policy" });
  // The table when the replay has finished; a refusal or a failure fails the test with its message.
  const refused = page.getByRole("alert");
  const outcome = await Promise.race([
    table.waitFor({ timeout: 120_000 }).then(() => "done"),
    refused.waitFor({ timeout: 120_000 }).then(
      () => "refused",
      () => "none",
    ),
  ]);
  if (outcome === "refused") assert.fail(await refused.innerText());
  const policies = await table.locator("tbody th").allInnerTexts();
  assert.deepEqual(
    policies.map((p) => p.replace(/\s*best$/, "").trim()),
    ["Warehouse only", "Greedy", "Optimal", "Expected benefit"],
  );
  const lost = (await table.locator("tbody tr td:nth-child(2)").allInnerTexts()).map(number);
  const winnerRow = table.locator("tbody tr.winner");
  const winner = (await winnerRow.locator("th").innerText()).replace(/\s*best$/, "").trim();
  assert.equal(number(await winnerRow.locator("td").first().innerText()), Math.min(...lost.slice(1)));
  // Chart: one line per policy.
  assert.equal(await page.locator("figure.chart .recharts-line").count(), policies.length);
  await page.locator(".tabs").scrollIntoViewIfNeeded();
  await page.locator(".tabs").screenshot({ path: join(shots, "12-backtest.png") });

  const before = await page.getByLabel("Plan shown").inputValue();
  await page.getByRole("button", { name: `Plan with ${winner}` }).click();
  await page.waitForFunction((old) => {
    const select = document.querySelector('[aria-label="Plan shown"]');
    return select !== null && select.value !== old;
  }, before);
  await page.getByText("Status: completed").waitFor({ timeout: 60_000 });
  assert.equal(await page.getByRole("tab", { name: "Transfers" }).getAttribute("aria-selected"), "true");
  const planId = await page.getByLabel("Plan shown").inputValue();
  const plan = await service.api("GET", `/api/v1/plans/${planId}`);
  const ids = { Greedy: "greedy", Optimal: "optimal", "Expected benefit": "expected-benefit" };
  assert.equal(plan.body.parameters.policy, ids[winner], "the plan uses the backtest's winner");
  await shot("13-planned-with-winner");
  // Lines of an expected-benefit plan say how many extra units each is expected to sell,
  // in the plan document and in the table's "Expected gain" column.
  assert.equal(
    plan.body.transfers.every((t) => typeof t.expected_gain === "number"),
    winner === "Expected benefit",
  );
  await page.waitForFunction((n) => {
    const count = document.querySelector('section[aria-label="Transfers"] .pager span')?.textContent ?? "";
    return (
      Number(count.replace(/[^0-9]/g, "")) === n &&
      (n === 0 || document.querySelector("table.data tbody tr[id]") !== null)
    );
  }, plan.body.transfers.length);
  const gainColumn = page.getByRole("columnheader", { name: /Expected gain/ });
  assert.equal(await gainColumn.count(), winner === "Expected benefit" && plan.body.transfers.length > 0 ? 1 : 0);

  // Execute, receive and cancel work for this policy's plan as for any other.
  if ((await page.locator("table.data tbody tr:not(.spacer)").count()) > 0) {
    const stock = await chainStock();
    await page.getByRole("button", { name: "Execute plan…" }).click();
    await page
      .getByRole("dialog")
      .getByRole("button", { name: /^Dispatch/ })
      .click();
    const executed = page.getByRole("status").filter({ hasText: "Plan executed." });
    const [, units] = (await executed.innerText()).match(/\d[\d,]*/g).map(number);
    await waitForInTransit(stock.inTransit + units);
    const row = page
      .locator("table.data tbody tr:not(.spacer)", { has: page.getByRole("button", { name: "Receive" }) })
      .first();
    const id = await row.getAttribute("id");
    const received = page.locator(`[id="${id}"]`);
    const quantity = number(await received.locator("td.num").first().innerText());
    await received.getByRole("button", { name: "Receive" }).click();
    await received.getByText("received", { exact: true }).waitFor();
    await waitForInTransit(stock.inTransit + units - quantity);
    const after = await chainStock();
    assert.equal(after.onHand, stock.onHand - units + quantity);
    assert.equal(after.onHand + after.inTransit, stock.onHand + stock.inTransit, "the chain's total is unchanged");

    const next = page
      .locator("table.data tbody tr:not(.spacer)", { has: page.getByRole("button", { name: "Cancel…" }) })
      .first();
    const cancelled = page.locator(`[id="${await next.getAttribute("id")}"]`);
    const back = number(await cancelled.locator("td.num").first().innerText());
    await cancelled.getByRole("button", { name: "Cancel…" }).click();
    await cancelled.getByRole("button", { name: "Yes, cancel" }).click();
    await cancelled.getByText("cancelled", { exact: true }).waitFor();
    await waitForInTransit(after.inTransit - back);
    assert.equal((await chainStock()).onHand, after.onHand + back);
  }
});

test("a plan with forecast auto shows each series' chosen model and its interval on the sales chart", async () => {
  const before = await page.getByLabel("Plan shown").inputValue();
  await runPlan({ Target: "forecast", "Forecast method": "auto" });
  // the new plan is shown (the previous one was completed too)
  await page.waitForFunction((old) => {
    const select = document.querySelector('[aria-label="Plan shown"]');
    return select !== null && select.value !== old;
  }, before);
  await page.getByText("Status: completed").waitFor({ timeout: 60_000 });
  const planId = await page.getByLabel("Plan shown").inputValue();
  const plan = await service.api("GET", `/api/v1/plans/${planId}`);
  assert.equal(plan.body.parameters.forecast, "auto");
  const moved = new Set(plan.body.transfers.map((t) => t.product_id));
  const row = plan.body.targets.find((t) => t.sigma > 0 && moved.has(t.product_id));
  assert.ok(row, "the plan carries a forecast with a spread");
  await page.getByLabel("Product shown").selectOption(row.product_id);
  await page.getByRole("tab", { name: "Insight" }).click();
  await page.getByLabel("Store for the chart").selectOption(row.store_id);
  const caption = page.locator("figure.chart figcaption");
  await caption.waitFor();
  const text = await caption.innerText();
  assert.match(text, new RegExp(`Forecast: ${row.method} \\(chosen for this series\\)`));
  assert.match(text, /80% interval of the 7-day demand [\d.]+–[\d.]+/);
  assert.match(text, new RegExp(`target ${row.target}\\b`));
  await page.locator("figure.chart .recharts-area").waitFor();
  await shot("14-insight-auto");
  await page.getByRole("tab", { name: "Transfers" }).click();
});

test("a viewer sees Run and Execute disabled, each with the reason, and the service refuses it too (403)", async () => {
  await page.getByRole("button", { name: "Sign out" }).click();
  await signIn(service.viewerKey);
  await page.locator(".map-wrap[data-stores]").waitFor();
  const run = page.getByRole("button", { name: "Run plan" });
  assert.ok(await run.isDisabled(), "Run is disabled for a viewer");
  const runNote = await page.locator(`[id="${await run.getAttribute("aria-describedby")}"]`).innerText();
  assert.match(runNote, /viewer key.*planning needs a planner key/);
  const execute = page.getByRole("button", { name: "Execute plan…" });
  assert.ok(await execute.isDisabled(), "Execute is disabled for a viewer");
  const executeNote = await page.locator(`[id="${await execute.getAttribute("aria-describedby")}"]`).innerText();
  assert.match(executeNote, /viewer key.*executing needs a planner key/);
  await shot("15-viewer-disabled");
  const refused = await service.api("POST", "/api/v1/plans", {}, service.viewerKey);
  assert.equal(refused.status, 403, "the service refuses a viewer's plan as well");
});

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

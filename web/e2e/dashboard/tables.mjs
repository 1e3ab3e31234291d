// The plan's tables: filtering and selecting a line, interaction timings, the CSV downloads, and
// the dashboard at 1024 x 768 and on a phone.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { countIsNot, describe, heapMiB, listed, listsOnly, timed, typeInto } from "../timing.mjs";
import { number, page, shot, withinWidth } from "./journey.mjs";

/** Filter, select, sort, time and download the plan's lines. */
export function transferTables() {
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
}

/** 1024 x 768 and a 390 x 844 phone (which receives a line in transit). */
export function smallScreens() {
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
}

// Insight and backtests: the sales, elbow and cluster charts, a backtest and planning with its
// winner, and a forecast-auto plan's chosen models.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { chainStock, number, page, runPlan, service, shot, shots, waitForInTransit } from "./journey.mjs";

/** The charts, a backtest with one-click planning, a forecast-auto plan. */
export function chartsAndBacktest() {
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
}

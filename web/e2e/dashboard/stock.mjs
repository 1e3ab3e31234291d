// Stock moving: executing a plan, receiving and cancelling lines and a whole delivery, and a
// plan made stale by a stock change, flagged and refused.
import assert from "node:assert/strict";
import { test } from "node:test";
import { chainStock, number, page, runPlan, service, shot, waitForInTransit } from "./journey.mjs";

/** Execute the plan shown, then receive and cancel its lines. */
export function executeAndReceive() {
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
      new RegExp(
        `Receive ${arriving.length} lines \\(${units.toLocaleString("en-GB")} units\\) arriving at ${store}\\?`,
      ),
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
}

/** A stock change makes the plan stale: flagged, then refused (409). */
export function stalePlan() {
  test("a plan made stale by a stock change is flagged before Execute, and refused with a 409 naming store and product", async () => {
    await runPlan();
    await page.getByText("Status: completed").waitFor({ timeout: 60_000 });
    const planId = await page.getByLabel("Plan shown").inputValue();
    const plan = await service.api("GET", `/api/v1/plans/${planId}`);
    const line = plan.body.transfers[0];
    assert.ok(line, "the second plan has lines");
    const stock = await service.api(
      "GET",
      `/api/v1/inventory?store_id=${line.from_store}&product_id=${line.product_id}`,
    );
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
}

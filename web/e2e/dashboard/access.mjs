// Who may do what: a wrong key is refused, a viewer sees planning and executing disabled.
import assert from "node:assert/strict";
import { test } from "node:test";
import { page, service, shot, signIn } from "./journey.mjs";

/** A wrong key is refused with a message. */
export function wrongKey() {
  test("a wrong key is refused with a message, not a blank page", async () => {
    await signIn("ssk_not-a-real-key");
    const alert = page.getByRole("alert");
    await alert.waitFor();
    assert.match(await alert.innerText(), /Key not accepted/);
    await shot("01-wrong-key");
  });
}

/** A viewer's Run and Execute are disabled, and refused by the service. */
export function viewerIsReadOnly() {
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
}

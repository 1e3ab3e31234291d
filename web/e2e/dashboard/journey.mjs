// The dashboard journey's shared state and steps: one service (server.mjs) and one Chromium page
// for every area's tests, which dashboard.test.mjs registers in the journey's order.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { after, before } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startService } from "../server.mjs";

export const shots = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "test-results");
mkdirSync(shots, { recursive: true });

export let service;
let browser;
export let page;

export const shot = (name) => page.screenshot({ path: join(shots, `${name}.png`) });
export const number = (text) => Number(text.replace(/[^0-9]/g, ""));

export async function chainStock() {
  const text = await page.getByLabel("Chain stock").innerText();
  const [onHand, inTransit] = text.match(/\d[\d,]*/g).map(number);
  return { onHand, inTransit };
}

/** Wait until the page shows `units` in transit: the totals follow the event stream and refetches. */
export async function waitForInTransit(units) {
  await page.waitForFunction((expected) => {
    const text = document.querySelector('[aria-label="Chain stock"]')?.textContent ?? "";
    const numbers = (text.match(/\d[\d,]*/g) ?? []).map((x) => Number(x.replace(/,/g, "")));
    return numbers[1] === expected;
  }, units);
}

export async function signIn(key) {
  await page.goto(service.url);
  await page.getByLabel("API key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
}

export async function runPlan(fill = {}) {
  const form = page.getByRole("form", { name: "Plan parameters" });
  for (const [label, value] of Object.entries(fill)) {
    const field = form.getByLabel(label, { exact: true });
    if ((await field.evaluate((el) => el.tagName)) === "SELECT") await field.selectOption(value);
    else await field.fill(value);
  }
  await page.getByRole("button", { name: "Run plan" }).click();
}

/** The service and the page, for the tests registered after this. */
export function openDashboard() {
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
}

/** True when the element's box lies inside the viewport's width (it may be further down the page). */
export async function withinWidth(locator, width) {
  const box = await locator.boundingBox();
  assert.ok(box, "the element is rendered");
  return box.x >= 0 && box.x + box.width <= width + 0.5;
}

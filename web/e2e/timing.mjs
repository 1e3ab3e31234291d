// Interaction timings in the page, with performance marks: from a mark before the event to the
// next painted frame ("paint": how long the page was unresponsive), and to the first painted
// frame where the result is on screen ("shown": the service's answer included), with the longest
// main-thread task seen meanwhile. Reported, never asserted: the figures depend on the machine's load.

/**
 * `act` and `done` run in the page (written as self-contained functions); `done` is polled
 * once per frame until it holds (at most 60 s). Each starts once the page has been quiet (see `quiet`),
 * so one interaction's leftover work is not counted in the next. Returns milliseconds.
 */
export async function timed(page, name, act, done = () => true) {
  await quiet(page);
  return page.evaluate(
    async ([name, act, done]) => {
      const run = new Function(`return (${act})`)();
      const ready = new Function(`return (${done})`)();
      const frame = () => new Promise((ok) => requestAnimationFrame(() => ok()));
      let longest = 0;
      const observer = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) longest = Math.max(longest, e.duration);
      });
      observer.observe({ type: "longtask" });
      performance.mark(`${name}:start`);
      run();
      await frame();
      await frame();
      performance.mark(`${name}:paint`);
      const deadline = performance.now() + 60_000;
      while (!ready() && performance.now() < deadline) await frame();
      performance.mark(`${name}:shown`);
      observer.disconnect();
      return {
        paint: performance.measure(`${name}:paint`, `${name}:start`, `${name}:paint`).duration,
        shown: performance.measure(`${name}:shown`, `${name}:start`, `${name}:shown`).duration,
        longestTask: longest,
      };
    },
    [name, act.toString(), done.toString()],
  );
}

/** Set an input's value as typing does (React listens to the input event). */
export function typeInto(selector, value) {
  return `() => {
    const input = document.querySelector(${JSON.stringify(selector)});
    const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set;
    set.call(input, ${JSON.stringify(value)});
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }`;
}

/** The JS heap in use (after a garbage collection), through the Chrome DevTools Protocol, in MiB. */
export async function heapMiB(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("HeapProfiler.collectGarbage");
  await cdp.send("Performance.enable");
  const { metrics } = await cdp.send("Performance.getMetrics");
  await cdp.detach();
  const used = metrics.find((m) => m.name === "JSHeapUsedSize")?.value ?? NaN;
  return used / 2 ** 20;
}

/** One line per figure for the test's diagnostics. */
export function describe(figures) {
  return Object.entries(figures).map(([what, f]) =>
    typeof f === "number"
      ? `${what}: ${f.toFixed(1)}`
      : `${what}: paint ${f.paint.toFixed(1)} ms, shown ${f.shown.toFixed(1)} ms, longest task ${f.longestTask.toFixed(0)} ms`,
  );
}

/** In the page: the transfers table has settled on the filter `text` (every row shown matches it). */
export function listsOnly(text) {
  return `() => {
    if (document.querySelector(".pager .loading") !== null) return false;
    const rows = [...document.querySelectorAll("table.data tbody tr[id]")];
    const q = ${JSON.stringify(text)}.toLowerCase();
    return rows.length > 0 && rows.every((r) => [...r.cells].slice(0, 3).some((c) => c.textContent.toLowerCase().includes(q) || (c.title ?? "").toLowerCase().includes(q)));
  }`;
}

/** The number in the transfers table's row count. */
export async function listed(page) {
  const text = await page.locator('section[aria-label="Transfers"] .pager span').first().innerText();
  return Number(text.replace(/[^0-9]/g, ""));
}

/** In the page: the transfers table's row count has changed from `count` and nothing is loading. */
export function countIsNot(count) {
  return `() => {
    const text = document.querySelector('section[aria-label="Transfers"] .pager span')?.textContent ?? "";
    return document.querySelector(".pager .loading") === null && Number(text.replace(/[^0-9]/g, "")) !== ${count};
  }`;
}

/** Wait until the page has run no long task (> 50 ms) for `ms` (at most 60 s). */
export async function quiet(page, ms = 1000) {
  await page.evaluate(async (ms) => {
    let last = performance.now();
    const observer = new PerformanceObserver(() => {
      last = performance.now();
    });
    observer.observe({ type: "longtask" });
    const deadline = performance.now() + 60_000;
    while (performance.now() - last < ms && performance.now() < deadline) {
      await new Promise((ok) => setTimeout(ok, 100));
    }
    observer.disconnect();
  }, ms);
}

import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";

// jsdom lays nothing out: give the tables' scroll boxes a height, so their virtual window
// draws rows, and let scrolling move it (the window follows the scroll event).
Object.defineProperty(HTMLElement.prototype, "clientHeight", {
  configurable: true,
  get(this: HTMLElement) {
    return this.classList.contains("table-scroll") ? 660 : 0;
  },
});
Object.defineProperty(HTMLElement.prototype, "scrollHeight", {
  configurable: true,
  get(this: HTMLElement) {
    return this.classList.contains("table-scroll") ? 10_000_000 : 0;
  },
});
Element.prototype.scrollTo = function scrollTo(this: Element, options?: ScrollToOptions | number) {
  if (typeof options === "object" && options.top !== undefined) this.scrollTop = options.top;
  this.dispatchEvent(new Event("scroll"));
} as Element["scrollTo"];

afterEach(() => {
  cleanup();
  window.sessionStorage.clear();
});

/**
 * A modal dialog's keyboard contract (WAI-ARIA dialog pattern): focus moves into the dialog
 * when it opens, Tab and Shift+Tab cycle through its controls without leaving it, Escape
 * closes it, and on close focus goes back to where it was (the button that opened it).
 */
import { type RefObject, useEffect } from "react";

const FOCUSABLE = [
  "a[href]",
  "button:not([disabled])",
  "input:not([disabled])",
  "select:not([disabled])",
  "textarea:not([disabled])",
  '[tabindex]:not([tabindex="-1"])',
].join(",");

/** The controls of `root` that Tab reaches, in document order. */
export function focusables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => !el.hasAttribute("inert"));
}

export function useFocusTrap(
  root: RefObject<HTMLElement | null>,
  initial: RefObject<HTMLElement | null>,
  onEscape: () => void,
) {
  // Focus in and back out, once per opening: not again when the handlers change.
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    (initial.current ?? (root.current ? focusables(root.current)[0] : null))?.focus();
    return () => {
      if (opener?.isConnected) opener.focus();
    };
  }, [root, initial]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        e.preventDefault();
        onEscape();
        return;
      }
      const box = root.current;
      if (e.key !== "Tab" || !box) return;
      const items = focusables(box);
      const first = items[0];
      const last = items[items.length - 1];
      if (!first || !last) {
        e.preventDefault();
        return;
      }
      const active = document.activeElement;
      const outside = !(active instanceof Node) || !box.contains(active);
      if (e.shiftKey && (active === first || outside)) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && (active === last || outside)) {
        e.preventDefault();
        first.focus();
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [root, onEscape]);
}

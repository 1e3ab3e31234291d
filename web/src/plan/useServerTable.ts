/**
 * What the plan tables share now that the service filters, sorts and pages their rows: the sort
 * a header click sets (sent to the service as `field` or `-field`), a text filter that asks the
 * service only once typing pauses, and a virtual window over the rows loaded so far that asks
 * for the next page as the planner scrolls near its end.
 */
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef, useState } from "react";

export type SortDir = "asc" | "desc";

export interface SortState<K extends string> {
  sortKey: K;
  sortDir: SortDir;
  toggleSort: (key: K) => void;
}

/** Every body row is this tall (one line of text), so the window needs no measuring. */
export const ROW_HEIGHT = 33;
/** Wait this long after the last keystroke before asking the service. */
export const TYPING_MS = 150;
/** Ask for the next page when the window comes this close to the last row loaded. */
const PREFETCH_ROWS = 60;

/** The sort of a table; a new column starts descending if listed in `descFirst`. */
export function useSort<K extends string>(
  initialKey: K,
  initialDir: SortDir,
  descFirst: readonly K[],
): SortState<K> & { param: string } {
  const [sortKey, setSortKey] = useState<K>(initialKey);
  const [sortDir, setSortDir] = useState<SortDir>(initialDir);
  const toggleSort = (key: K) => {
    if (key === sortKey) setSortDir((d) => (d === "asc" ? "desc" : "asc"));
    else {
      setSortKey(key);
      setSortDir(descFirst.includes(key) ? "desc" : "asc");
    }
  };
  return { sortKey, sortDir, toggleSort, param: sortDir === "desc" ? `-${sortKey}` : sortKey };
}

/** The value, once it has not changed for `ms`: what the service is asked about. */
export function useSettled<T>(value: T, ms = TYPING_MS): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

interface More {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => unknown;
}

/** The rows to draw out of `count` loaded, the space above and below them, and more rows on demand. */
export function useVirtualRows(count: number, more: More) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    // the sticky header row covers the top of the scroll box
    scrollPaddingStart: ROW_HEIGHT,
    // React 19 warns when a scroll flushes a render from inside another: let it batch.
    useFlushSync: false,
  });
  const items = virtualizer.getVirtualItems();
  const lastShown = items[items.length - 1]?.index ?? -1;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = more;
  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && lastShown >= count - PREFETCH_ROWS) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage, lastShown, count]);
  const padTop = items[0]?.start ?? 0;
  const padBottom = Math.max(0, virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0));
  return { scrollRef, items, padTop, padBottom, scrollToIndex: virtualizer.scrollToIndex };
}

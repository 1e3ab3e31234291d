/**
 * What the plan tables share now that the service filters, sorts and pages their rows: the sort
 * a header click sets (sent to the service as `field` or `-field`), a text filter that asks the
 * service only once typing pauses, and a virtual window over the rows loaded so far that asks
 * for the next page as the planner scrolls near its end.
 */
import type { ColumnSort, SortingState } from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef, useState } from "react";

/** Every body row is this tall (one line of text), so the window needs no measuring. */
export const ROW_HEIGHT = 33;
/** Wait this long after the last keystroke before asking the service. */
export const TYPING_MS = 150;
/** Ask for the next page when the window comes this close to the last row loaded. */
const PREFETCH_ROWS = 60;

/**
 * The sort a TanStack Table sets from its header clicks (one column, never none), held here so the
 * query can ask the service for it: `param` is `field` or `-field`.
 */
export function useServerSorting(initial: ColumnSort) {
  const [sorting, setSorting] = useState<SortingState>([initial]);
  const current = sorting[0] ?? initial;
  return { sorting, setSorting, param: current.desc ? `-${current.id}` : current.id };
}

/** The table options that leave sorting to the service: one column at a time, always sorted. */
export const SERVER_SORTED = { manualSorting: true, enableMultiSort: false, enableSortingRemoval: false } as const;

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

/** Sorting, filtering and paging shared by the plan tables; all of it client-side over the plan's rows. */
import { useMemo, useState } from "react";

export type SortDir = "asc" | "desc";

export interface TableState<K extends string> {
  sortKey: K;
  sortDir: SortDir;
  toggleSort: (key: K) => void;
  page: number;
  setPage: (page: number) => void;
}

export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  const sa = String(a ?? "");
  const sb = String(b ?? "");
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

export function useSortedRows<T extends object, K extends keyof T & string>(
  rows: readonly T[],
  initialKey: K,
  initialDir: SortDir,
  pageSize: number,
): TableState<K> & { sorted: T[]; pageRows: T[]; pages: number } {
  const [sortKey, setSortKey] = useState<K>(initialKey);
  const [sortDir, setSortDir] = useState<SortDir>(initialDir);
  const [page, setPage] = useState(0);
  const sorted = useMemo(() => {
    const out = [...rows];
    out.sort((x, y) => {
      const c = compareValues(x[sortKey], y[sortKey]);
      return sortDir === "asc" ? c : -c;
    });
    return out;
  }, [rows, sortKey, sortDir]);
  const pages = Math.max(1, Math.ceil(sorted.length / pageSize));
  const current = Math.min(page, pages - 1);
  const pageRows = useMemo(
    () => sorted.slice(current * pageSize, (current + 1) * pageSize),
    [sorted, current, pageSize],
  );
  const toggleSort = (key: K) => {
    if (key === sortKey) setSortDir((d) => (d === "asc" ? "desc" : "asc"));
    else {
      setSortKey(key);
      setSortDir(key === "quantity" || key === "distance_km" ? "desc" : "asc");
    }
    setPage(0);
  };
  return { sortKey, sortDir, toggleSort, page: current, setPage, sorted, pageRows, pages };
}

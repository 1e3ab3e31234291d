/** Header cells that sort on click or Enter, and the pager under a table. */
import type { SortDir } from "./useSortedFilter";

interface SortHeaderProps<K extends string> {
  label: string;
  column: K;
  sortKey: K;
  sortDir: SortDir;
  onSort: (key: K) => void;
  numeric?: boolean;
}

export function SortHeader<K extends string>({ label, column, sortKey, sortDir, onSort, numeric }: SortHeaderProps<K>) {
  const active = column === sortKey;
  return (
    <th
      scope="col"
      className={numeric ? "num" : undefined}
      aria-sort={active ? (sortDir === "asc" ? "ascending" : "descending") : "none"}
    >
      <button type="button" className="sort" onClick={() => onSort(column)}>
        {label}
        <span aria-hidden="true">{active ? (sortDir === "asc" ? " ▲" : " ▼") : ""}</span>
      </button>
    </th>
  );
}

interface PagerProps {
  page: number;
  pages: number;
  total: number;
  onPage: (page: number) => void;
  noun: string;
}

export function Pager({ page, pages, total, onPage, noun }: PagerProps) {
  return (
    <div className="pager">
      <span>
        {total} {noun}
      </span>
      {pages > 1 && (
        <>
          <button type="button" onClick={() => onPage(page - 1)} disabled={page === 0}>
            Previous
          </button>
          <span>
            page {page + 1} of {pages}
          </span>
          <button type="button" onClick={() => onPage(page + 1)} disabled={page >= pages - 1}>
            Next
          </button>
        </>
      )}
    </div>
  );
}

/** Header cells that sort on click or Enter, and the pager under a table. */
import { fmtInt } from "../lib/format";
import type { SortDir, TableState } from "./useSortedFilter";

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
        {fmtInt(total)} {noun}
      </span>
      {pages > 1 && (
        <>
          <button type="button" onClick={() => onPage(page - 1)} disabled={page === 0}>
            Previous
          </button>
          <span>
            page {fmtInt(page + 1)} of {fmtInt(pages)}
          </span>
          <button type="button" onClick={() => onPage(page + 1)} disabled={page >= pages - 1}>
            Next
          </button>
        </>
      )}
    </div>
  );
}

/** A header-cell maker bound to one table's sort state: `header("Units", "quantity", true)`. */
export function sortHeaders<K extends string>(table: TableState<K>) {
  return function header(label: string, column: K, numeric = false) {
    return (
      <SortHeader
        label={label}
        column={column}
        sortKey={table.sortKey}
        sortDir={table.sortDir}
        onSort={table.toggleSort}
        numeric={numeric}
      />
    );
  };
}

/** Header cells that sort on click or Enter, the row count under a table, and the spacer rows of a virtual window. */
import { fmtInt } from "../lib/format";
import type { SortDir, SortState } from "./useServerTable";

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

/** How many rows match, over all pages (the table loads them as it scrolls). */
export function RowCount({ total, noun, loading }: { total: number; noun: string; loading: boolean }) {
  return (
    <div className="pager" aria-live="polite">
      <span>
        {fmtInt(total)} {noun}
      </span>
      {loading && <span className="loading">Loading…</span>}
    </div>
  );
}

/** The height of the rows above or below the window, so the scroll bar spans every row. */
export function Spacer({ height, columns }: { height: number; columns: number }) {
  if (height <= 0) return null;
  return (
    <tr className="spacer" aria-hidden="true" style={{ height }}>
      <td colSpan={columns} />
    </tr>
  );
}

/** A header-cell maker bound to one table's sort state: `header("Units", "quantity", true)`. */
export function sortHeaders<K extends string>(table: SortState<K>) {
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

/**
 * Header cells that sort on click or Enter, drawn from a TanStack Table header (the table owns
 * the sort state, the service sorts), the row count under a table, and the spacer rows of a
 * virtual window.
 */
import type { ReactNode } from "react";
import { fmtInt } from "../lib/format";

/** What a header cell needs of a TanStack Table header whose column may sort. */
interface SortableHeader {
  id: string;
  column: {
    columnDef: { meta?: { numeric?: boolean } };
    getCanSort: () => boolean;
    getIsSorted: () => false | "asc" | "desc";
    getToggleSortingHandler: () => undefined | ((event: unknown) => void);
  };
}

/** A column header: a button over the whole cell that sorts by it, with `aria-sort` telling which way. */
export function SortHeader({ header, children }: { header: SortableHeader; children: ReactNode }) {
  const { column } = header;
  const className = column.columnDef.meta?.numeric ? "num" : undefined;
  if (!column.getCanSort())
    return (
      <th scope="col" className={className}>
        {children}
      </th>
    );
  const sorted = column.getIsSorted();
  return (
    <th
      scope="col"
      className={className}
      aria-sort={sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : "none"}
    >
      <button type="button" className="sort" onClick={column.getToggleSortingHandler()}>
        {children}
        <span aria-hidden="true">{sorted === "asc" ? " ▲" : sorted === "desc" ? " ▼" : ""}</span>
      </button>
    </th>
  );
}

/** The header rows of a table's header groups, each cell's text drawn by `label` (the table's FlexRender). */
export function HeaderRows<H extends SortableHeader>({
  groups,
  label,
}: {
  groups: readonly { id: string; headers: readonly H[] }[];
  label: (header: H) => ReactNode;
}) {
  return groups.map((group) => (
    <tr key={group.id}>
      {group.headers.map((h) => (
        <SortHeader key={h.id} header={h}>
          {label(h)}
        </SortHeader>
      ))}
    </tr>
  ));
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

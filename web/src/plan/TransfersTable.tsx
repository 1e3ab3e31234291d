/**
 * The plan's transfer lines, as the service filters, sorts and pages them: a virtual window
 * over the pages loaded so far (a 50,000-line plan draws a screenful of rows), filterable by
 * text, scope and status, linked to the map (choosing a row highlights its route, from the row's
 * own line: no plan document needed), with receive and cancel on lines in transit and a CSV of
 * every line the filters match. Lines of an expected-benefit plan also show their expected gain.
 */
import {
  type Row,
  createColumnHelper,
  metaHelper,
  rowSortingFeature,
  tableFeatures,
  useTable,
} from "@tanstack/react-table";
import { type ReactNode, useEffect, useMemo, useState } from "react";
import { useApi } from "../api/context";
import { BULK_PAGE, type LineQuery, type LineSort, everyRow, fetchLinePage } from "../api/planlines";
import { useLinePages } from "../api/queries";
import type { Scope, Store, Transfer, TransferStatus } from "../api/types";
import { downloadCsv, toCsv } from "../lib/csv";
import { fmtDecimal, fmtInt } from "../lib/format";
import { SCOPE_COLOURS, STATUS_COLOURS } from "../lib/palette";
import { LineActions } from "./LineActions";
import { ReceiveAll } from "./ReceiveAll";
import { HeaderRows, RowCount, Spacer } from "./TableParts";
import { SERVER_SORTED, useServerSorting, useSettled, useVirtualRows } from "./useServerTable";

/** The filters a planner sets in the toolbar, and the store chosen ("" for none); the map narrows its routes by the same. */
export interface TableFilter {
  text: string;
  scope: string;
  status: string;
  store: string;
}

interface Props {
  planId: string;
  /** The product chosen in the top bar, or null for all. */
  productId: string | null;
  /** The store chosen on the map or for the charts: only lines leaving or reaching it; null for all. */
  storeId: string | null;
  /** Show every store's lines again. */
  onClearStore: () => void;
  /** The plan's lines carry an expected gain (an expected-benefit plan). */
  withGain: boolean;
  /** Lines of the plan in transit: receiving a delivery is offered only when some are. */
  inTransit: number;
  stores: readonly Store[];
  selectedKey: string | null;
  /** The line chosen, for when it is not among the rows loaded (pinned on top). */
  selectedLine: Transfer | null;
  /** A line chosen (click, Enter or Space): its route is highlighted on the map. */
  onSelect: (line: Transfer) => void;
  onReceive: (transferId: number) => void;
  onCancel: (transferId: number) => void;
  /** The line whose receipt or cancellation is under way. */
  busyLine: number | null;
  /** Receive these lines (all arriving at one store) in one request. */
  onReceiveAll: (transferIds: number[]) => void;
  receivingAll: boolean;
  /** Told the filters in use (null: none), so the map can show just those lines. */
  onFilter?: (filter: TableFilter | null) => void;
}

const CSV_COLUMNS = [
  "transfer_id",
  "product_id",
  "from_store",
  "to_store",
  "quantity",
  "distance_km",
  "scope",
  "status",
] as const;
const CSV_COLUMNS_WITH_GAIN = [...CSV_COLUMNS.slice(0, 6), "expected_gain", ...CSV_COLUMNS.slice(6)] as const;

/** True when the plan's lines carry an expected gain (an expected-benefit plan). */
export function hasExpectedGain(lines: readonly Transfer[]): boolean {
  return lines.some((t) => t.expected_gain !== undefined && t.expected_gain !== null);
}

/**
 * True when the line passes the filters as the service applies them: the text is found, in any
 * case, in the product or either store's id or name (`names`).
 */
export function matchesTransfer(
  line: Transfer,
  filter: TableFilter,
  names: ReadonlyMap<string, string> = new Map(),
): boolean {
  if (filter.scope !== "" && line.scope !== filter.scope) return false;
  if (filter.status !== "" && line.status !== filter.status) return false;
  if (filter.store !== "" && line.from_store !== filter.store && line.to_store !== filter.store) return false;
  const q = filter.text.trim().toLowerCase();
  if (q === "") return true;
  const fields = [
    line.product_id,
    line.from_store,
    line.to_store,
    names.get(line.from_store),
    names.get(line.to_store),
  ];
  return fields.some((v) => v !== undefined && v.toLowerCase().includes(q));
}

/**
 * The CSV's file name: the plan, then each filter in use (text, scope, status), so a filtered
 * download says what it holds: `transfers-12-S030-dispatched.csv`.
 */
export function transfersCsvName(planId: string, text: string, scope: string, status: string, store = ""): string {
  const parts = [text.trim(), scope, status, store]
    .map((p) => p.replace(/[^A-Za-z0-9_-]+/g, "_").replace(/^_+|_+$/g, ""))
    .filter((p) => p !== "");
  return `transfers-${[planId, ...parts].join("-")}.csv`;
}

const lineKey = (t: Transfer) => `t${t.transfer_id}`;

/** What the cells need beyond the line: store names and the receive and cancel actions. */
type LineContext = Pick<Props, "onReceive" | "onCancel" | "busyLine"> & { names: ReadonlyMap<string, string> };

const features = tableFeatures({
  rowSortingFeature,
  tableMeta: metaHelper<LineContext>(),
  columnMeta: metaHelper<{ numeric?: boolean; storeName?: boolean }>(),
});
type LineRow = Row<typeof features, Transfer>;
const column = createColumnHelper<typeof features, Transfer>();
const tag = (value: string, colour: string) => (
  <span className="tag" style={{ borderColor: colour }}>
    {value}
  </span>
);
/** A text column, sorted A to Z first. */
const plain = (header: string, meta?: { storeName: true }) => ({ header, sortDescFirst: false, meta }) as const;
// Each sortable column's id is the field the service sorts by; quantity and distance start largest first.
const BEFORE_GAIN = [
  column.accessor("product_id", plain("Product")),
  column.accessor("from_store", plain("From", { storeName: true })),
  column.accessor("to_store", plain("To", { storeName: true })),
  column.accessor("quantity", {
    header: "Units",
    sortDescFirst: true,
    cell: (c) => fmtInt(c.getValue()),
    meta: { numeric: true },
  }),
  column.accessor("distance_km", {
    header: "Distance (km)",
    sortDescFirst: true,
    cell: (c) => fmtDecimal(c.getValue()),
    meta: { numeric: true },
  }),
];
const GAIN = column.accessor("expected_gain", {
  header: "Expected gain",
  sortDescFirst: false,
  cell: (c) => {
    const gain = c.getValue();
    return gain == null ? "" : fmtDecimal(gain);
  },
  meta: { numeric: true },
});
const AFTER_GAIN = [
  column.accessor("scope", { ...plain("Scope"), cell: (c) => tag(c.getValue(), SCOPE_COLOURS[c.getValue()]) }),
  column.accessor("status", {
    ...plain("Status"),
    cell: (c) => tag(c.getValue(), STATUS_COLOURS[c.getValue()] ?? "#999"),
  }),
  column.display({
    id: "action",
    header: () => <span className="sr-only">Action</span>,
    cell: ({ row, table }) => {
      const line = row.original;
      const ctx = table.options.meta;
      if (ctx === undefined || line.status !== "dispatched" || line.transfer_id === null) return null;
      return (
        <LineActions
          transferId={line.transfer_id}
          quantity={line.quantity}
          fromStore={line.from_store}
          busy={ctx.busyLine === line.transfer_id}
          onReceive={ctx.onReceive}
          onCancel={ctx.onCancel}
        />
      );
    },
  }),
];
const COLUMNS = column.columns([...BEFORE_GAIN, ...AFTER_GAIN]);
const COLUMNS_WITH_GAIN = column.columns([...BEFORE_GAIN, GAIN, ...AFTER_GAIN]);
const NO_LINES: Transfer[] = [];

export function TransfersTable(props: Props) {
  const { planId, productId, storeId, withGain, stores, selectedKey, selectedLine, onSelect, onFilter } = props;
  const api = useApi();
  const names = useMemo(() => new Map(stores.map((s) => [s.store_id, s.name])), [stores]);
  const [text, setText] = useState("");
  const [scope, setScope] = useState("");
  const [status, setStatus] = useState("");
  const [exporting, setExporting] = useState(false);
  const sort = useServerSorting({ id: "quantity", desc: true });
  const settledText = useSettled(text.trim());
  const query = useMemo<LineQuery>(
    () => ({
      product_id: productId,
      store_id: storeId,
      direction: null,
      scope: scope === "" ? null : (scope as Scope),
      status: status === "" ? null : (status as TransferStatus),
      q: settledText === "" ? null : settledText,
      sort: sort.param as LineSort,
    }),
    [productId, storeId, scope, status, settledText, sort.param],
  );
  const pages = useLinePages(api, planId, query);
  const rows = useMemo(() => pages.data?.pages.flatMap((p) => p.items) ?? [], [pages.data]);
  const total = pages.data?.pages[0]?.total ?? 0;
  const gain = withGain || hasExpectedGain(rows);
  const meta = useMemo<LineContext>(
    () => ({ names, onReceive: props.onReceive, onCancel: props.onCancel, busyLine: props.busyLine }),
    [names, props.onReceive, props.onCancel, props.busyLine],
  );
  const columns = gain ? COLUMNS_WITH_GAIN : COLUMNS;
  const tableOptions = { features, columns, getRowId: lineKey, meta } as const;
  const table = useTable({
    ...tableOptions,
    data: rows,
    state: { sorting: sort.sorting },
    onSortingChange: sort.setSorting,
    ...SERVER_SORTED,
  });
  const tableRows = table.getRowModel().rows;
  const virtual = useVirtualRows(tableRows.length, pages);

  const store = storeId ?? "";
  // The map narrows to a chosen store by itself (its flows to and from it): only the toolbar's
  // filters make it draw the table's lines instead.
  const filtering = settledText !== "" || scope !== "" || status !== "";
  useEffect(() => {
    onFilter?.(filtering ? { text: settledText, scope, status, store } : null);
  }, [onFilter, filtering, settledText, scope, status, store]);
  useEffect(() => () => onFilter?.(null), [onFilter]);

  // The line chosen is brought into view when it is loaded; else (another sort or page) it is pinned on top.
  const selectedIndex = selectedKey === null ? -1 : tableRows.findIndex((r) => r.id === selectedKey);
  const { scrollToIndex } = virtual;
  useEffect(() => {
    if (selectedIndex >= 0) scrollToIndex(selectedIndex, { align: "auto" });
  }, [selectedIndex, scrollToIndex]);
  const pinnedLine =
    selectedIndex < 0 && selectedLine !== null && selectedLine.transfer_id !== null ? selectedLine : null;
  const pinnedData = useMemo(() => (pinnedLine === null ? NO_LINES : [pinnedLine]), [pinnedLine]);
  // The same columns over the one line pinned on top.
  const pinned = useTable({ ...tableOptions, data: pinnedData, ...SERVER_SORTED }).getRowModel().rows[0];

  const download = async () => {
    setExporting(true);
    try {
      const lines = await everyRow((cursor) => fetchLinePage(api, planId, query, cursor, BULK_PAGE));
      downloadCsv(
        transfersCsvName(planId, text, scope, status, store),
        toCsv(lines, gain ? CSV_COLUMNS_WITH_GAIN : CSV_COLUMNS),
      );
    } finally {
      setExporting(false);
    }
  };

  const row = (r: LineRow, className?: string) => (
    <TransferRow key={r.id} row={r} selected={r.id === selectedKey} className={className} onSelect={onSelect}>
      {r.getAllCells().map((cell) => {
        const { meta: look } = cell.column.columnDef;
        return (
          <td
            key={cell.id}
            className={look?.numeric ? "num" : undefined}
            title={look?.storeName ? names.get(String(cell.getValue())) : undefined}
          >
            <table.FlexRender cell={cell} />
          </td>
        );
      })}
    </TransferRow>
  );
  const loaded = pages.data !== undefined;

  return (
    <section aria-label="Transfers">
      <div className="toolbar">
        <input
          type="search"
          aria-label="Filter transfers by product or store"
          placeholder="Filter by product or store"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        <select aria-label="Scope" value={scope} onChange={(e) => setScope(e.target.value)}>
          <option value="">All scopes</option>
          <option value="intra-cluster">Intra-cluster</option>
          <option value="cross-cluster">Cross-cluster</option>
        </select>
        <select aria-label="Status" value={status} onChange={(e) => setStatus(e.target.value)}>
          <option value="">All statuses</option>
          {(["proposed", "dispatched", "received", "cancelled"] as TransferStatus[]).map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        {storeId !== null && (
          <button
            type="button"
            className="chip"
            onClick={props.onClearStore}
            aria-label={`Only lines of store ${storeId}: show every store's lines`}
          >
            Store {storeId}
            {names.get(storeId) ? ` · ${names.get(storeId)}` : ""} ✕
          </button>
        )}
        <ReceiveAll
          planId={planId}
          query={query}
          stores={stores}
          filterText={settledText}
          inTransit={props.inTransit > 0}
          busy={props.receivingAll}
          onReceiveAll={props.onReceiveAll}
        />
        <button type="button" onClick={() => void download()} disabled={total === 0 || exporting}>
          {exporting ? "Preparing CSV…" : "Download CSV"}
        </button>
      </div>
      <a className="skip-link" href="#after-transfers">
        Skip past the transfers table
      </a>
      {!loaded ? (
        <p className="loading">Loading lines…</p>
      ) : total === 0 && !filtering && productId === null && storeId === null ? (
        <p className="empty">This plan moves nothing: every store is within its target or has no source in reach.</p>
      ) : (
        // The header stays when no line matches: the columns (and the sort) are the plan's, not the filter's.
        <div className="table-scroll virtual" ref={virtual.scrollRef} data-rows={rows.length}>
          <table className="data">
            <thead>
              <HeaderRows groups={table.getHeaderGroups()} label={(h) => <table.FlexRender header={h} />} />
            </thead>
            {pinned && <tbody className="pinned">{row(pinned, "pinned")}</tbody>}
            <tbody>
              <Spacer height={virtual.padTop} columns={columns.length} />
              {virtual.items.map((v) => {
                const r = tableRows[v.index];
                return r ? row(r) : null;
              })}
              <Spacer height={virtual.padBottom} columns={columns.length} />
            </tbody>
          </table>
          {total === 0 && <p className="empty">No transfer matches these filters.</p>}
        </div>
      )}
      <RowCount total={total} noun="lines" loading={pages.isFetching} />
      <span id="after-transfers" tabIndex={-1} />
    </section>
  );
}

interface RowProps extends Pick<Props, "onSelect"> {
  row: LineRow;
  selected: boolean;
  className?: string;
  children: ReactNode;
}

/** A line's row: chosen by click, Enter or Space (its route is highlighted on the map). */
function TransferRow({ row, selected, className, onSelect, children }: RowProps) {
  const key = row.id;
  return (
    <tr
      id={`transfer-${key}`}
      className={[selected ? "selected" : "", className ?? ""].join(" ").trim() || undefined}
      aria-selected={selected}
      tabIndex={0}
      onClick={() => onSelect(row.original)}
      onKeyDown={(e) => {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          onSelect(row.original);
        }
      }}
    >
      {children}
    </tr>
  );
}

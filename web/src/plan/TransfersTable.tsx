/**
 * The plan's transfer lines: sortable, filterable by text, scope and status, linked to the map
 * (choosing a row highlights its route and fits the map to it), with receive and cancel on lines
 * in transit and a CSV download of the lines as filtered. Lines of an expected-benefit plan also
 * show their expected gain (extra units expected to sell).
 */
import { useEffect, useMemo, useState } from "react";
import type { Store, Transfer, TransferStatus } from "../api/types";
import { downloadCsv, toCsv } from "../lib/csv";
import { fmtDecimal, fmtInt } from "../lib/format";
import { SCOPE_COLOURS, STATUS_COLOURS } from "../lib/palette";
import type { Route } from "../map/routes";
import { LineActions } from "./LineActions";
import { ReceiveAll } from "./ReceiveAll";
import { Pager, sortHeaders } from "./TableParts";
import { useSortedRows } from "./useSortedFilter";

interface Props {
  planId: string;
  routes: readonly Route[];
  stores: readonly Store[];
  selectedKey: string | null;
  onSelect: (key: string) => void;
  onReceive: (transferId: number) => void;
  onCancel: (transferId: number) => void;
  /** The line whose receipt or cancellation is under way. */
  busyLine: number | null;
  /** Receive these lines (all arriving at one store) in one request. */
  onReceiveAll: (transferIds: number[]) => void;
  receivingAll: boolean;
  /** Told which lines pass the filters (null: no filter), so the map can show just those. */
  onFilter?: (keys: ReadonlySet<string> | null) => void;
}

type Row = Transfer & { key: string; from_name: string; to_name: string };
type SortKey =
  "product_id" | "from_store" | "to_store" | "quantity" | "distance_km" | "expected_gain" | "scope" | "status";

const PAGE_SIZE = 50;
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

/** True when the row matches every filter; the text matches product or either store (id or name). */
export function matchesTransfer(row: Row, text: string, scope: string, status: string): boolean {
  if (scope !== "" && row.scope !== scope) return false;
  if (status !== "" && row.status !== status) return false;
  const q = text.trim().toLowerCase();
  if (q === "") return true;
  return [row.product_id, row.from_store, row.to_store, row.from_name, row.to_name].some((v) =>
    v.toLowerCase().includes(q),
  );
}

/**
 * The CSV's file name: the plan, then each filter in use (text, scope, status), so a filtered
 * download says what it holds: `transfers-12-S030-dispatched.csv`.
 */
export function transfersCsvName(planId: string, text: string, scope: string, status: string): string {
  const parts = [text.trim(), scope, status]
    .map((p) => p.replace(/[^A-Za-z0-9_-]+/g, "_").replace(/^_+|_+$/g, ""))
    .filter((p) => p !== "");
  return `transfers-${[planId, ...parts].join("-")}.csv`;
}

export function TransfersTable({
  planId,
  routes,
  stores,
  selectedKey,
  onSelect,
  onReceive,
  onCancel,
  busyLine,
  onReceiveAll,
  receivingAll,
  onFilter,
}: Props) {
  const [text, setText] = useState("");
  const [scope, setScope] = useState("");
  const [status, setStatus] = useState("");
  const names = useMemo(() => new Map(stores.map((s) => [s.store_id, s.name])), [stores]);
  const rows = useMemo<Row[]>(
    () =>
      routes.map((r) => ({
        ...r.transfer,
        key: r.key,
        from_name: names.get(r.transfer.from_store) ?? "",
        to_name: names.get(r.transfer.to_store) ?? "",
      })),
    [routes, names],
  );
  const filtered = useMemo(
    () => rows.filter((r) => matchesTransfer(r, text, scope, status)),
    [rows, text, scope, status],
  );
  const table = useSortedRows<Row, SortKey>(filtered, "quantity", "desc", PAGE_SIZE);
  const withGain = useMemo(() => hasExpectedGain(rows), [rows]);

  const filtering = text.trim() !== "" || scope !== "" || status !== "";
  useEffect(() => {
    onFilter?.(filtering ? new Set(filtered.map((r) => r.key)) : null);
  }, [onFilter, filtering, filtered]);
  useEffect(() => () => onFilter?.(null), [onFilter]);

  // A route chosen on the map brings its row into view, on whichever page it is.
  const { sorted, setPage } = table;
  useEffect(() => {
    if (selectedKey === null) return;
    const index = sorted.findIndex((r) => r.key === selectedKey);
    if (index < 0) return;
    setPage(Math.floor(index / PAGE_SIZE));
    document.getElementById(`transfer-${selectedKey}`)?.scrollIntoView?.({ block: "nearest" });
  }, [selectedKey, sorted, setPage]);

  const header = sortHeaders(table);

  return (
    <section aria-label="Transfers">
      <div className="toolbar">
        <input
          type="search"
          aria-label="Filter transfers by product or store"
          placeholder="Filter by product or store"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            table.setPage(0);
          }}
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
        <ReceiveAll
          lines={filtered}
          stores={stores}
          filterText={text}
          busy={receivingAll}
          onReceiveAll={onReceiveAll}
        />
        <button
          type="button"
          onClick={() =>
            downloadCsv(
              transfersCsvName(planId, text, scope, status),
              toCsv(table.sorted, withGain ? CSV_COLUMNS_WITH_GAIN : CSV_COLUMNS),
            )
          }
          disabled={filtered.length === 0}
        >
          Download CSV
        </button>
      </div>
      <a className="skip-link" href="#after-transfers">
        Skip past the transfers table
      </a>
      {rows.length === 0 ? (
        <p className="empty">This plan moves nothing: every store is within its target or has no source in reach.</p>
      ) : filtered.length === 0 ? (
        <p className="empty">No transfer matches these filters.</p>
      ) : (
        <div className="table-scroll">
          <table className="data">
            <thead>
              <tr>
                {header("Product", "product_id")}
                {header("From", "from_store")}
                {header("To", "to_store")}
                {header("Units", "quantity", true)}
                {header("Distance (km)", "distance_km", true)}
                {withGain && header("Expected gain", "expected_gain", true)}
                {header("Scope", "scope")}
                {header("Status", "status")}
                <th scope="col">
                  <span className="sr-only">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {table.pageRows.map((row) => {
                const selected = row.key === selectedKey;
                return (
                  <tr
                    key={row.key}
                    id={`transfer-${row.key}`}
                    className={selected ? "selected" : undefined}
                    aria-selected={selected}
                    tabIndex={0}
                    onClick={() => onSelect(row.key)}
                    onKeyDown={(e) => {
                      if (e.key === "Enter" || e.key === " ") {
                        e.preventDefault();
                        onSelect(row.key);
                      }
                    }}
                  >
                    <td>{row.product_id}</td>
                    <td title={row.from_name}>{row.from_store}</td>
                    <td title={row.to_name}>{row.to_store}</td>
                    <td className="num">{fmtInt(row.quantity)}</td>
                    <td className="num">{fmtDecimal(row.distance_km)}</td>
                    {withGain && (
                      <td className="num">{row.expected_gain == null ? "" : fmtDecimal(row.expected_gain)}</td>
                    )}
                    <td>
                      <span className="tag" style={{ borderColor: SCOPE_COLOURS[row.scope] }}>
                        {row.scope}
                      </span>
                    </td>
                    <td>
                      <span className="tag" style={{ borderColor: STATUS_COLOURS[row.status] ?? "#999" }}>
                        {row.status}
                      </span>
                    </td>
                    <td>
                      {row.status === "dispatched" && row.transfer_id !== null && (
                        <LineActions
                          transferId={row.transfer_id}
                          quantity={row.quantity}
                          fromStore={row.from_store}
                          busy={busyLine === row.transfer_id}
                          onReceive={onReceive}
                          onCancel={onCancel}
                        />
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <Pager page={table.page} pages={table.pages} total={filtered.length} onPage={table.setPage} noun="lines" />
      <span id="after-transfers" tabIndex={-1} />
    </section>
  );
}

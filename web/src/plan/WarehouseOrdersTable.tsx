/** Needs no store could cover, as warehouse orders: sortable, filterable, downloadable for ERP import. */
import { useMemo, useState } from "react";
import type { WarehouseOrder } from "../api/types";
import { downloadCsv, toCsv } from "../lib/csv";
import { fmtInt } from "../lib/format";
import { Pager, sortHeaders } from "./TableParts";
import { useSortedRows } from "./useSortedFilter";

type SortKey = "product_id" | "store_id" | "quantity" | "reason";
const CSV_COLUMNS = ["product_id", "store_id", "quantity", "reason"] as const;

export function WarehouseOrdersTable({ planId, orders }: { planId: string; orders: readonly WarehouseOrder[] }) {
  const [text, setText] = useState("");
  const filtered = useMemo(() => {
    const q = text.trim().toLowerCase();
    return q === ""
      ? [...orders]
      : orders.filter((o) => [o.product_id, o.store_id, o.reason].some((v) => v.toLowerCase().includes(q)));
  }, [orders, text]);
  const table = useSortedRows<WarehouseOrder, SortKey>(filtered, "quantity", "desc", 50);
  const header = sortHeaders(table);
  return (
    <section aria-label="Warehouse orders">
      <div className="toolbar">
        <input
          type="search"
          aria-label="Filter warehouse orders"
          placeholder="Filter by product, store or reason"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        <button
          type="button"
          onClick={() => downloadCsv(`warehouse-orders-${planId}.csv`, toCsv(table.sorted, CSV_COLUMNS))}
          disabled={filtered.length === 0}
        >
          Download CSV
        </button>
      </div>
      {orders.length === 0 ? (
        <p className="empty">No warehouse orders: transfers cover every need.</p>
      ) : (
        <div className="table-scroll">
          <table className="data">
            <thead>
              <tr>
                {header("Product", "product_id")}
                {header("Store", "store_id")}
                {header("Units", "quantity", true)}
                {header("Reason", "reason")}
              </tr>
            </thead>
            <tbody>
              {table.pageRows.map((o) => (
                <tr key={`${o.product_id}/${o.store_id}`}>
                  <td>{o.product_id}</td>
                  <td>{o.store_id}</td>
                  <td className="num">{fmtInt(o.quantity)}</td>
                  <td>{o.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager page={table.page} pages={table.pages} total={filtered.length} onPage={table.setPage} noun="orders" />
    </section>
  );
}

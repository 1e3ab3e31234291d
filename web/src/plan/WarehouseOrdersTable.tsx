/**
 * Needs no store could cover, as warehouse orders: sorted, filtered and paged by the service,
 * drawn as a virtual window, downloadable (every matching order) for ERP import.
 */
import { useMemo, useState } from "react";
import { useApi } from "../api/context";
import { BULK_PAGE, type OrderQuery, type OrderSort, everyRow, fetchOrderPage } from "../api/planlines";
import { useOrderPages } from "../api/queries";
import { downloadCsv, toCsv } from "../lib/csv";
import { fmtInt } from "../lib/format";
import { RowCount, Spacer, sortHeaders } from "./TableParts";
import { useSettled, useSort, useVirtualRows } from "./useServerTable";

type SortKey = "product_id" | "store_id" | "quantity" | "reason";
const CSV_COLUMNS = ["product_id", "store_id", "quantity", "reason"] as const;

interface Props {
  planId: string;
  /** The product chosen in the top bar and the store chosen on the map or for the charts; null for all. */
  productId: string | null;
  storeId: string | null;
}

export function WarehouseOrdersTable({ planId, productId, storeId }: Props) {
  const api = useApi();
  const [text, setText] = useState("");
  const [exporting, setExporting] = useState(false);
  const settledText = useSettled(text.trim());
  const sort = useSort<SortKey>("quantity", "desc", ["quantity"]);
  const query = useMemo<OrderQuery>(
    () => ({
      product_id: productId,
      store_id: storeId,
      q: settledText === "" ? null : settledText,
      sort: sort.param as OrderSort,
    }),
    [productId, storeId, settledText, sort.param],
  );
  const pages = useOrderPages(api, planId, query);
  const rows = useMemo(() => pages.data?.pages.flatMap((p) => p.items) ?? [], [pages.data]);
  const total = pages.data?.pages[0]?.total ?? 0;
  const virtual = useVirtualRows(rows.length, pages);
  const header = sortHeaders(sort);
  const filtering = settledText !== "" || productId !== null || storeId !== null;

  const download = async () => {
    setExporting(true);
    try {
      const orders = await everyRow((cursor) => fetchOrderPage(api, planId, query, cursor, BULK_PAGE));
      downloadCsv(`warehouse-orders-${planId}.csv`, toCsv(orders, CSV_COLUMNS));
    } finally {
      setExporting(false);
    }
  };

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
        <button type="button" onClick={() => void download()} disabled={total === 0 || exporting}>
          {exporting ? "Preparing CSV…" : "Download CSV"}
        </button>
      </div>
      {pages.data === undefined ? (
        <p className="loading">Loading orders…</p>
      ) : total === 0 && !filtering ? (
        <p className="empty">No warehouse orders: transfers cover every need.</p>
      ) : total === 0 ? (
        <p className="empty">No warehouse order matches this filter.</p>
      ) : (
        <div className="table-scroll virtual" ref={virtual.scrollRef} data-rows={rows.length}>
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
              <Spacer height={virtual.padTop} columns={4} />
              {virtual.items.map((v) => {
                const o = rows[v.index];
                if (!o) return null;
                return (
                  <tr key={o.order_id}>
                    <td>{o.product_id}</td>
                    <td>{o.store_id}</td>
                    <td className="num">{fmtInt(o.quantity)}</td>
                    <td>{o.reason}</td>
                  </tr>
                );
              })}
              <Spacer height={virtual.padBottom} columns={4} />
            </tbody>
          </table>
        </div>
      )}
      <RowCount total={total} noun="orders" loading={pages.isFetching} />
    </section>
  );
}

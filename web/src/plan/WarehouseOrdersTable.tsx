/**
 * Needs no store could cover, as warehouse orders: sorted, filtered and paged by the service,
 * drawn as a virtual window, downloadable (every matching order) for ERP import.
 */
import { createColumnHelper, metaHelper, rowSortingFeature, tableFeatures, useTable } from "@tanstack/react-table";
import { useMemo, useState } from "react";
import { useApi } from "../api/context";
import { BULK_PAGE, type OrderQuery, type OrderSort, everyRow, fetchOrderPage } from "../api/planlines";
import { useOrderPages } from "../api/queries";
import { downloadCsv, toCsv } from "../lib/csv";
import { fmtInt } from "../lib/format";
import type { OrderLine } from "../api/planlines";
import { HeaderRows, RowCount, Spacer } from "./TableParts";
import { SERVER_SORTED, useServerSorting, useSettled, useVirtualRows } from "./useServerTable";

const features = tableFeatures({ rowSortingFeature, columnMeta: metaHelper<{ numeric?: boolean }>() });
const column = createColumnHelper<typeof features, OrderLine>();
/** Each column's id is the field the service sorts by; the largest orders come first. */
const COLUMNS = column.columns([
  column.accessor("product_id", { header: "Product", sortDescFirst: false }),
  column.accessor("store_id", { header: "Store", sortDescFirst: false }),
  column.accessor("quantity", {
    header: "Units",
    sortDescFirst: true,
    cell: (c) => fmtInt(c.getValue()),
    meta: { numeric: true },
  }),
  column.accessor("reason", { header: "Reason", sortDescFirst: false }),
]);
const orderId = (o: OrderLine) => String(o.order_id);
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
  const sort = useServerSorting({ id: "quantity", desc: true });
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
  const table = useTable({
    features,
    columns: COLUMNS,
    data: rows,
    getRowId: orderId,
    state: { sorting: sort.sorting },
    onSortingChange: sort.setSorting,
    ...SERVER_SORTED,
  });
  const tableRows = table.getRowModel().rows;
  const virtual = useVirtualRows(tableRows.length, pages);
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
              <HeaderRows groups={table.getHeaderGroups()} label={(h) => <table.FlexRender header={h} />} />
            </thead>
            <tbody>
              <Spacer height={virtual.padTop} columns={COLUMNS.length} />
              {virtual.items.map((v) => {
                const row = tableRows[v.index];
                if (!row) return null;
                return (
                  <tr key={row.id}>
                    {row.getAllCells().map((cell) => (
                      <td key={cell.id} className={cell.column.columnDef.meta?.numeric ? "num" : undefined}>
                        <table.FlexRender cell={cell} />
                      </td>
                    ))}
                  </tr>
                );
              })}
              <Spacer height={virtual.padBottom} columns={COLUMNS.length} />
            </tbody>
          </table>
        </div>
      )}
      <RowCount total={total} noun="orders" loading={pages.isFetching} />
    </section>
  );
}

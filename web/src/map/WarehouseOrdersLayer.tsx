/** Stores that need a warehouse order, marked with a thin black dashed ring and the units ordered. */
import { useMemo } from "react";
import { CircleMarker, Tooltip } from "react-leaflet";
import type { Store, WarehouseOrder } from "../api/types";
import { fmtInt } from "../lib/format";
import { WAREHOUSE_COLOUR } from "../lib/palette";
import { TOOLTIP_PANE } from "./panes";

interface Props {
  stores: readonly Store[];
  orders: readonly WarehouseOrder[];
}

interface Marked {
  store: Store;
  /** Made once per store list, so a re-render never moves the marker (and its tooltip). */
  centre: [number, number];
  units: number;
  lines: WarehouseOrder[];
}

export function WarehouseOrdersLayer({ stores, orders }: Props) {
  const marked = useMemo<Marked[]>(() => {
    const byStore = new Map<string, WarehouseOrder[]>();
    for (const o of orders) {
      const list = byStore.get(o.store_id) ?? [];
      list.push(o);
      byStore.set(o.store_id, list);
    }
    return stores
      .filter((s) => byStore.has(s.store_id))
      .map((store) => {
        const lines = byStore.get(store.store_id) ?? [];
        return { store, centre: [store.lat, store.lon], lines, units: lines.reduce((a, o) => a + o.quantity, 0) };
      });
  }, [stores, orders]);

  return (
    <>
      {marked.map(({ store, centre, units, lines }) => (
        <CircleMarker
          key={store.store_id}
          center={centre}
          radius={10}
          pathOptions={{ color: WAREHOUSE_COLOUR, weight: 1.5, dashArray: "2 3", fill: false }}
        >
          <Tooltip pane={TOOLTIP_PANE}>
            <strong>Warehouse order</strong> for {store.name || store.store_id}: {fmtInt(units)} units
            {lines.slice(0, 5).map((o) => (
              <div key={o.product_id}>
                {o.product_id}: {fmtInt(o.quantity)} ({o.reason})
              </div>
            ))}
            {lines.length > 5 && <div>and {lines.length - 5} more products</div>}
          </Tooltip>
        </CircleMarker>
      ))}
    </>
  );
}

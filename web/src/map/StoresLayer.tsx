/**
 * Every store as a canvas circle marker. Coloured by cluster, or, when a product is chosen, by
 * its stock balance for that product (surplus, deficit, balanced) with the radius growing with
 * the number of units over or under target.
 */
import { useMemo } from "react";
import { CircleMarker, Tooltip } from "react-leaflet";
import type { Store } from "../api/types";
import type { StoreBalance } from "../lib/balance";
import { fmtDecimal, fmtInt } from "../lib/format";
import { balanceRadius } from "../lib/geometry";
import { BALANCE_COLOURS, clusterColour } from "../lib/palette";
import { StoreStock } from "./StoreStock";
import { TOOLTIP_PANE } from "./panes";

interface Props {
  stores: readonly Store[];
  clusterLabels: readonly string[];
  productId: string | null;
  balances: ReadonlyMap<string, StoreBalance> | null;
  selectedStore: string | null;
  onSelectStore: (storeId: string) => void;
}

export function StoresLayer({ stores, clusterLabels, productId, balances, selectedStore, onSelectStore }: Props) {
  const maxMagnitude = useMemo(() => {
    let max = 0;
    for (const b of balances?.values() ?? []) max = Math.max(max, b.magnitude);
    return max;
  }, [balances]);

  return (
    <>
      {stores.map((store) => {
        const balance = balances?.get(store.store_id);
        const byBalance = productId !== null && balances !== null;
        const fill = byBalance
          ? balance
            ? BALANCE_COLOURS[balance.kind]
            : "#ffffff"
          : clusterColour(store.cluster, clusterLabels);
        const radius = byBalance && balance ? balanceRadius(balance.magnitude, maxMagnitude) : 6;
        const selected = store.store_id === selectedStore;
        return (
          <CircleMarker
            key={store.store_id}
            center={[store.lat, store.lon]}
            radius={selected ? radius + 3 : radius}
            pathOptions={{
              color: selected ? "#000000" : "#333333",
              weight: selected ? 3 : 1,
              fillColor: fill,
              fillOpacity: byBalance && !balance ? 0.4 : 0.9,
            }}
            // A click on a store is the store's, not also a click on the flows beneath it.
            bubblingMouseEvents={false}
            eventHandlers={{ click: () => onSelectStore(store.store_id) }}
          >
            <Tooltip pane={TOOLTIP_PANE}>
              <strong>{store.name || store.store_id}</strong> ({store.store_id})
              <br />
              Cluster {store.cluster}
              <br />
              {byBalance ? (
                balance ? (
                  <>
                    {productId}: {fmtInt(balance.on_hand)} on hand, {fmtInt(balance.in_transit)} in transit
                    <br />
                    {balance.target !== null ? `target ${fmtDecimal(balance.target)}: ` : "in this plan: "}
                    {balance.kind}
                    {balance.magnitude > 0 ? ` by ${fmtInt(balance.magnitude)}` : ""}
                  </>
                ) : (
                  <>Does not carry {productId}</>
                )
              ) : (
                <StoreStock storeId={store.store_id} />
              )}
            </Tooltip>
          </CircleMarker>
        );
      })}
    </>
  );
}

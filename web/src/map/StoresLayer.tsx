/**
 * Every store as a canvas circle marker. Coloured by cluster, or, when a product is chosen, by
 * its stock balance for that product (surplus, deficit, balanced) with the radius growing with
 * the number of units over or under target.
 *
 * The markers are Leaflet's own, made once per list of stores; choosing a product, a store or
 * new balances only restyles them (no React component per store, no marker moved or made again).
 * A tooltip's text is React's, drawn into the tooltip only while it is open.
 */
import L from "leaflet";
import { type ReactNode, useEffect, useMemo, useRef, useState } from "react";
import { createPortal } from "react-dom";
import { useMap } from "react-leaflet";
import type { Store } from "../api/types";
import type { StoreBalance } from "../lib/balance";
import { fmtDecimal, fmtInt } from "../lib/format";
import { balanceRadius } from "../lib/geometry";
import { BALANCE_COLOURS, clusterColour } from "../lib/palette";
import { addGroup, canvasGroup } from "./canvasGroup";
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

export interface MarkerLook {
  radius: number;
  color: string;
  weight: number;
  fillColor: string;
  fillOpacity: number;
}

/** How a store's marker looks: by cluster, or by its balance for the product shown; the chosen store ringed. */
export function markerLook(
  store: Store,
  look: Pick<Props, "clusterLabels" | "productId" | "balances" | "selectedStore">,
  maxMagnitude: number,
): MarkerLook {
  const balance = look.balances?.get(store.store_id);
  const byBalance = look.productId !== null && look.balances !== null;
  const fillColor = byBalance
    ? balance
      ? BALANCE_COLOURS[balance.kind]
      : "#ffffff"
    : clusterColour(store.cluster, look.clusterLabels);
  const radius = byBalance && balance ? balanceRadius(balance.magnitude, maxMagnitude) : 6;
  const selected = store.store_id === look.selectedStore;
  return {
    radius: selected ? radius + 3 : radius,
    color: selected ? "#000000" : "#333333",
    weight: selected ? 3 : 1,
    fillColor,
    fillOpacity: byBalance && !balance ? 0.4 : 0.9,
  };
}

/** An open tooltip: the element its text is drawn into. */
type OpenTips = ReadonlyMap<string, HTMLElement>;

export function StoresLayer(props: Props) {
  const { stores, clusterLabels, productId, balances, selectedStore } = props;
  const map = useMap();
  const [open, setOpen] = useState<OpenTips>(new Map());
  const markers = useRef(new Map<string, L.CircleMarker>());
  const onSelect = useRef(props.onSelectStore);
  onSelect.current = props.onSelectStore;

  useEffect(() => {
    const [group, renderer] = canvasGroup("stores");
    const made = new Map<string, L.CircleMarker>();
    for (const store of stores) {
      const id = store.store_id;
      const marker = L.circleMarker([store.lat, store.lon], {
        renderer,
        pane: "stores",
        radius: 6,
        // A click on a store is the store's, not also a click on the flows beneath it.
        bubblingMouseEvents: false,
      });
      const box = document.createElement("div");
      marker.bindTooltip(box, { pane: TOOLTIP_PANE });
      marker.on("click", () => onSelect.current(id));
      marker.on("tooltipopen", () => setOpen((tips) => new Map(tips).set(id, box)));
      marker.on("tooltipclose", () =>
        setOpen((tips) => {
          const rest = new Map(tips);
          rest.delete(id);
          return rest;
        }),
      );
      made.set(id, marker);
      group.addLayer(marker);
    }
    markers.current = made;
    const remove = addGroup(map, group, renderer);
    return () => {
      remove();
      markers.current = new Map();
      setOpen(new Map());
    };
  }, [map, stores]);

  const maxMagnitude = useMemo(() => {
    let max = 0;
    for (const b of balances?.values() ?? []) max = Math.max(max, b.magnitude);
    return max;
  }, [balances]);
  useEffect(() => {
    const look = { clusterLabels, productId, balances, selectedStore };
    for (const store of stores) {
      const marker = markers.current.get(store.store_id);
      if (!marker) continue;
      const { radius, ...style } = markerLook(store, look, maxMagnitude);
      marker.setStyle(style);
      if (marker.getRadius() !== radius) marker.setRadius(radius);
    }
  }, [stores, clusterLabels, productId, balances, selectedStore, maxMagnitude]);

  // Once its text is drawn, an open tooltip is placed again for its new size.
  useEffect(() => {
    for (const id of open.keys()) markers.current.get(id)?.getTooltip()?.update();
  });

  const byId = useMemo(() => new Map(stores.map((s) => [s.store_id, s])), [stores]);
  const tips: ReactNode[] = [];
  for (const [id, box] of open) {
    const store = byId.get(id);
    if (store) tips.push(createPortal(<StoreTip store={store} productId={productId} balances={balances} />, box, id));
  }
  return tips;
}

/** What a store's tooltip says: its name, cluster, and its stock (of the product shown, or over all products). */
function StoreTip({ store, productId, balances }: Pick<Props, "productId" | "balances"> & { store: Store }) {
  const balance = balances?.get(store.store_id);
  const byBalance = productId !== null && balances !== null;
  return (
    <>
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
    </>
  );
}

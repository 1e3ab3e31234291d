/** A store's stock over all products, fetched when its hover card opens (not for every store up front). */
import { useApi } from "../api/context";
import { useStoreStock } from "../api/queries";
import { fmtInt } from "../lib/format";

export function StoreStock({ storeId }: { storeId: string }) {
  const stock = useStoreStock(useApi(), storeId);
  if (stock.isLoading) return <>Loading stock…</>;
  if (!stock.data) return <>Stock unavailable</>;
  const { on_hand, in_transit, products } = stock.data;
  return (
    <>
      {fmtInt(on_hand)} units on hand{in_transit > 0 ? `, ${fmtInt(in_transit)} in transit` : ""} ({fmtInt(products)}{" "}
      products)
    </>
  );
}

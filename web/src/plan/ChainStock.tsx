/** The chain's units on hand and in transit: executing moves units from one to the other, receiving back; the sum never changes. */
import { useApi } from "../api/context";
import { useTotals } from "../api/queries";
import { fmtInt } from "../lib/format";

export function ChainStock() {
  const totals = useTotals(useApi());
  if (!totals.data) return null;
  return (
    <p className="totals" aria-label="Chain stock">
      Chain stock: <strong>{fmtInt(totals.data.on_hand)}</strong> on hand,{" "}
      <strong>{fmtInt(totals.data.in_transit)}</strong> in transit
    </p>
  );
}

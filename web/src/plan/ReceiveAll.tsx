/**
 * Receive a delivery: the lines in transit *arriving at one store* among those the table shows
 * (filtered by store or product). Lines leaving that store are never included. The toolbar names
 * the store, the lines and the units before anything is sent, and all of them go to the service
 * in one all-or-nothing request.
 */
import { useState } from "react";
import type { Store, Transfer } from "../api/types";
import { fmtInt } from "../lib/format";

interface Props {
  lines: readonly Transfer[];
  stores: readonly Store[];
  /** The table's text filter: a store id or name typed there picks that store. */
  filterText: string;
  busy: boolean;
  onReceiveAll: (transferIds: number[]) => void;
}

/** The lines in transit to `storeId` (its inbound deliveries), never those it sends. */
export function arrivingAt(lines: readonly Transfer[], storeId: string): Transfer[] {
  return lines.filter((t) => t.status === "dispatched" && t.transfer_id !== null && t.to_store === storeId);
}

/** The destination the filter names (id or name, any case), else the only one there is. */
function guessStore(destinations: readonly string[], names: ReadonlyMap<string, string>, text: string): string {
  const q = text.trim().toLowerCase();
  const named = destinations.find((s) => s.toLowerCase() === q || names.get(s)?.toLowerCase() === q);
  return named ?? (destinations.length === 1 ? (destinations[0] ?? "") : "");
}

export function ReceiveAll({ lines, stores, filterText, busy, onReceiveAll }: Props) {
  const [confirming, setConfirming] = useState(false);
  const [chosen, setChosen] = useState("");
  const destinations = [
    ...new Set(lines.filter((t) => t.status === "dispatched" && t.transfer_id !== null).map((t) => t.to_store)),
  ].sort();
  if (destinations.length === 0) return null;
  const names = new Map(stores.map((s) => [s.store_id, s.name]));
  const store = destinations.includes(chosen) ? chosen : guessStore(destinations, names, filterText);
  const arriving = store === "" ? [] : arrivingAt(lines, store);
  const units = arriving.reduce((a, t) => a + t.quantity, 0);
  if (!confirming) {
    return (
      <span className="line-actions">
        {destinations.length > 1 && (
          <select aria-label="Receive at store" value={store} onChange={(e) => setChosen(e.target.value)}>
            <option value="">Receive at…</option>
            {destinations.map((s) => (
              <option key={s} value={s}>
                {names.get(s) ? `${s} · ${names.get(s)}` : s}
              </option>
            ))}
          </select>
        )}
        <button type="button" disabled={busy || arriving.length === 0} onClick={() => setConfirming(true)}>
          {busy ? "Receiving…" : store === "" ? "Receive…" : `Receive ${fmtInt(arriving.length)} arriving at ${store}…`}
        </button>
      </span>
    );
  }
  return (
    <span className="line-actions" role="group" aria-label={`Receive the lines arriving at ${store}?`}>
      Receive {fmtInt(arriving.length)} lines ({fmtInt(units)} units) arriving at {store}?
      <button
        type="button"
        className="small primary"
        onClick={() => {
          setConfirming(false);
          onReceiveAll(arriving.flatMap((t) => (t.transfer_id === null ? [] : [t.transfer_id])));
        }}
      >
        Yes, receive
      </button>
      <button type="button" className="small" onClick={() => setConfirming(false)}>
        No
      </button>
    </span>
  );
}

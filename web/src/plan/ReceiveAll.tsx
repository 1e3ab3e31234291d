/**
 * Receive a delivery: the lines in transit *arriving at one store* among those the table's
 * filters match (over every page, as the service counts them). Lines leaving that store are
 * never included. The toolbar names the store, the lines and the units before anything is sent,
 * and all of them go to the service in one all-or-nothing request.
 */
import { useMemo, useState } from "react";
import { useApi } from "../api/context";
import { BULK_PAGE, type LineQuery, everyRow, fetchLinePage } from "../api/planlines";
import { useDestinations } from "../api/queries";
import type { Store } from "../api/types";
import { fmtInt } from "../lib/format";

interface Props {
  planId: string;
  /** The table's filters. */
  query: LineQuery;
  stores: readonly Store[];
  /** The table's text filter: a store id or name typed there picks that store. */
  filterText: string;
  /** Some of the plan's lines are in transit (else there is nothing to receive). */
  inTransit: boolean;
  busy: boolean;
  onReceiveAll: (transferIds: number[]) => void;
}

/** The table's filters narrowed to lines in transit (none when the table shows another status). */
function inTransitQuery(query: LineQuery): LineQuery | null {
  if (query.status !== null && query.status !== "dispatched") return null;
  return { ...query, status: "dispatched", sort: "seq" };
}

/** The destination the filter names (id or name, any case), else the only one there is. */
function guessStore(destinations: readonly string[], names: ReadonlyMap<string, string>, text: string): string {
  const q = text.trim().toLowerCase();
  const named = destinations.find((s) => s.toLowerCase() === q || names.get(s)?.toLowerCase() === q);
  return named ?? (destinations.length === 1 ? (destinations[0] ?? "") : "");
}

export function ReceiveAll({ planId, query, stores, filterText, inTransit, busy, onReceiveAll }: Props) {
  const api = useApi();
  const [confirming, setConfirming] = useState(false);
  const [chosen, setChosen] = useState("");
  const [gathering, setGathering] = useState(false);
  const dispatched = inTransitQuery(query);
  const shown = dispatched ?? query;
  const found = useDestinations(api, planId, shown, inTransit && dispatched !== null);
  const names = useMemo(() => new Map(stores.map((s) => [s.store_id, s.name])), [stores]);
  const all = found.data ?? [];
  if (dispatched === null || all.length === 0) return null;
  const destinations = all.map((d) => d.store_id);
  const store = destinations.includes(chosen) ? chosen : guessStore(destinations, names, filterText);
  const arriving = all.find((d) => d.store_id === store) ?? { store_id: store, lines: 0, units: 0 };

  const receive = async () => {
    setConfirming(false);
    setGathering(true);
    try {
      const lines = await everyRow((cursor) =>
        fetchLinePage(api, planId, { ...dispatched, store_id: store, direction: "in" }, cursor, BULK_PAGE),
      );
      onReceiveAll(lines.flatMap((t) => (t.transfer_id === null ? [] : [t.transfer_id])));
    } finally {
      setGathering(false);
    }
  };

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
        <button type="button" disabled={busy || gathering || arriving.lines === 0} onClick={() => setConfirming(true)}>
          {busy || gathering
            ? "Receiving…"
            : store === ""
              ? "Receive…"
              : `Receive ${fmtInt(arriving.lines)} arriving at ${store}…`}
        </button>
      </span>
    );
  }
  return (
    <span className="line-actions" role="group" aria-label={`Receive the lines arriving at ${store}?`}>
      Receive {fmtInt(arriving.lines)} lines ({fmtInt(arriving.units)} units) arriving at {store}?
      <button type="button" className="small primary" onClick={() => void receive()}>
        Yes, receive
      </button>
      <button type="button" className="small" onClick={() => setConfirming(false)}>
        No
      </button>
    </span>
  );
}

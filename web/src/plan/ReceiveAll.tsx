/**
 * Receive every line in transit among those the table shows (a truck's worth, filtered by store
 * or product), after a confirmation in the toolbar naming how many lines and units arrive.
 */
import { useState } from "react";
import type { Transfer } from "../api/types";
import { fmtInt } from "../lib/format";

interface Props {
  lines: readonly Transfer[];
  busy: boolean;
  onReceiveAll: (transferIds: number[]) => void;
}

export function ReceiveAll({ lines, busy, onReceiveAll }: Props) {
  const [confirming, setConfirming] = useState(false);
  const inTransit = lines.filter((t) => t.status === "dispatched" && t.transfer_id !== null);
  if (inTransit.length === 0) return null;
  const units = inTransit.reduce((a, t) => a + t.quantity, 0);
  if (!confirming) {
    return (
      <button type="button" disabled={busy} onClick={() => setConfirming(true)}>
        {busy ? "Receiving…" : `Receive ${fmtInt(inTransit.length)} in transit…`}
      </button>
    );
  }
  return (
    <span className="line-actions" role="group" aria-label="Receive the lines shown?">
      Receive {fmtInt(inTransit.length)} lines, {fmtInt(units)} units?
      <button
        type="button"
        className="small primary"
        onClick={() => {
          setConfirming(false);
          onReceiveAll(inTransit.flatMap((t) => (t.transfer_id === null ? [] : [t.transfer_id])));
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

/**
 * What a planner can do with a dispatched line: receive it at its destination, or cancel it,
 * which returns the units to the source. Cancelling asks once more, in the row, naming the
 * units and the store they go back to.
 */
import { type MouseEvent, useState } from "react";
import { fmtInt } from "../lib/format";

interface Props {
  transferId: number;
  quantity: number;
  fromStore: string;
  busy: boolean;
  onReceive: (transferId: number) => void;
  onCancel: (transferId: number) => void;
}

/** Buttons inside a selectable row must not also select the row. */
function only(action: () => void) {
  return (e: MouseEvent) => {
    e.stopPropagation();
    action();
  };
}

export function LineActions({ transferId, quantity, fromStore, busy, onReceive, onCancel }: Props) {
  const [confirming, setConfirming] = useState(false);
  if (confirming) {
    return (
      <span className="line-actions" role="group" aria-label={`Cancel transfer ${transferId}?`}>
        Return {fmtInt(quantity)} to {fromStore}?
        <button
          type="button"
          className="small danger"
          disabled={busy}
          onClick={only(() => {
            setConfirming(false);
            onCancel(transferId);
          })}
        >
          Yes, cancel
        </button>
        <button type="button" className="small" onClick={only(() => setConfirming(false))}>
          Keep
        </button>
      </span>
    );
  }
  return (
    <span className="line-actions">
      <button type="button" className="small" disabled={busy} onClick={only(() => onReceive(transferId))}>
        Receive
      </button>
      <button type="button" className="small" disabled={busy} onClick={only(() => setConfirming(true))}>
        Cancel…
      </button>
    </span>
  );
}

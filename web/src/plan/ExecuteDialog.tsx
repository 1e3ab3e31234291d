/**
 * Confirmation before a plan is executed: it names what will move (lines, units, products,
 * stores and the largest lines) so that nobody dispatches stock by a stray click.
 */
import { useMemo, useRef } from "react";
import type { Transfer } from "../api/types";
import { fmtInt } from "../lib/format";
import { useFocusTrap } from "../lib/useFocusTrap";
import type { StockCheck } from "./stockCheck";
import { StockWarning } from "./StockWarning";

interface Props {
  transfers: readonly Transfer[];
  busy: boolean;
  /** Whether the stock moved since the plan was made: said again before dispatching. */
  stockCheck?: StockCheck;
  onConfirm: () => void;
  onCancel: () => void;
}

export function describeExecution(transfers: readonly Transfer[]) {
  const proposed = transfers.filter((t) => t.status === "proposed");
  const units = proposed.reduce((a, t) => a + t.quantity, 0);
  const products = new Set(proposed.map((t) => t.product_id)).size;
  const sources = new Set(proposed.map((t) => t.from_store)).size;
  const destinations = new Set(proposed.map((t) => t.to_store)).size;
  const largest = [...proposed].sort((a, b) => b.quantity - a.quantity).slice(0, 5);
  return { lines: proposed.length, units, products, sources, destinations, largest };
}

export function ExecuteDialog({ transfers, busy, stockCheck, onConfirm, onCancel }: Props) {
  const d = useMemo(() => describeExecution(transfers), [transfers]);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const dialogRef = useRef<HTMLDivElement>(null);
  useFocusTrap(dialogRef, cancelRef, onCancel);

  return (
    <div className="backdrop">
      <div className="dialog" ref={dialogRef} role="dialog" aria-modal="true" aria-labelledby="execute-title">
        <h2 id="execute-title">Execute this plan?</h2>
        <p>
          This dispatches <strong>{fmtInt(d.lines)} transfer lines</strong> moving{" "}
          <strong>{fmtInt(d.units)} units</strong> of {fmtInt(d.products)} product{d.products === 1 ? "" : "s"} from{" "}
          {fmtInt(d.sources)} store{d.sources === 1 ? "" : "s"} to {fmtInt(d.destinations)} store
          {d.destinations === 1 ? "" : "s"}. Each source's on-hand stock drops now and the units stay in transit until
          received.
        </p>
        {d.largest.length > 0 && (
          <>
            <p>Largest lines:</p>
            <ul className="largest">
              {d.largest.map((t, i) => (
                <li key={i}>
                  {fmtInt(t.quantity)} × {t.product_id}: {t.from_store} → {t.to_store}
                </li>
              ))}
            </ul>
          </>
        )}
        <StockWarning check={stockCheck} />
        <div className="dialog-actions">
          <button type="button" ref={cancelRef} onClick={onCancel}>
            Cancel
          </button>
          <button type="button" className="danger" onClick={onConfirm} disabled={busy || d.lines === 0}>
            {busy ? "Dispatching…" : `Dispatch ${fmtInt(d.lines)} lines`}
          </button>
        </div>
      </div>
    </div>
  );
}

/** The plan's stock check as a planner sees it beside Execute and in the execute dialog. */
import { type StockCheck, stockWarning } from "./stockCheck";

export function StockWarning({ check, id }: { check: StockCheck | undefined; id?: string }) {
  const warning = check ? stockWarning(check) : null;
  if (!warning) return null;
  return (
    <p id={id} className={`stock-warning ${warning.severity}`} role="status" data-severity={warning.severity}>
      <strong>{warning.severity === "refused" ? "Stock moved: execute would be refused." : "Stock moved."}</strong>{" "}
      {warning.text}
    </p>
  );
}

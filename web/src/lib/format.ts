/** Number and date formatting shared by tables, KPIs and popups (one locale for the whole page). */

const integer = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 1 });
const percent = new Intl.NumberFormat("en-GB", { style: "percent", maximumFractionDigits: 1 });

export function fmtInt(value: number): string {
  return integer.format(value);
}

export function fmtDecimal(value: number): string {
  return oneDecimal.format(value);
}

export function fmtPercent(ratio: number): string {
  return percent.format(ratio);
}

/** A plan id or timestamp shown compactly: the API's ISO strings become local date and time. */
export function fmtDateTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString("en-GB");
}

/**
 * CSV export of table rows, quoted per RFC 4180 so that ids with commas survive a spreadsheet,
 * and safe to open: a text cell that begins with `=`, `+`, `-`, `@`, tab or carriage return
 * would run as a formula, so it is written with a single quote in front and enclosed in
 * double quotes (OWASP CSV injection). Numbers stay numbers: `-3` is not a formula.
 * The service's copy of this rule is src/stockshift/io/csvcells.py.
 */

export type CsvValue = string | number | boolean | null | undefined;

/** First characters that make a spreadsheet read a cell as a formula. */
export const FORMULA_TRIGGERS = ["=", "+", "-", "@", "\t", "\r"] as const;

/** The text with a single quote in front if a spreadsheet would run it as a formula. */
export function neutralise(text: string): string {
  return FORMULA_TRIGGERS.some((t) => text.startsWith(t)) ? `'${text}` : text;
}

function quote(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  if (typeof value !== "string") return String(value);
  const text = neutralise(value);
  return text !== value || /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv<T extends object>(rows: readonly T[], columns: readonly (keyof T & string)[]): string {
  const lines = [columns.map(quote).join(",")];
  for (const row of rows) {
    lines.push(columns.map((c) => quote(row[c] as CsvValue)).join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}

/** Hand the text to the browser as a file download (a temporary object URL, released at once). */
export function downloadCsv(filename: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}

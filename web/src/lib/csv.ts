/** CSV export of table rows, quoted per RFC 4180 so that ids with commas survive a spreadsheet. */

export type CsvValue = string | number | boolean | null | undefined;

function quote(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
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

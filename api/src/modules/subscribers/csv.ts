// The subscriber list as CSV (RFC 4180), safe to open in a spreadsheet: a cell that a
// spreadsheet would take for a formula (starting with = + - @, or a tab or carriage return) is
// prefixed with ' (OWASP's CSV injection advice), and every cell is quoted.

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return `"${safe.replaceAll('"', '""')}"`;
}

export function csvRow(cells: readonly string[]): string {
  return cells.map(csvCell).join(",") + "\r\n";
}

export const SUBSCRIBER_CSV_HEADER = ["email", "services", "confirmed", "confirmed_at", "created_at"] as const;

export interface SubscriberCsvRow {
  email: string;
  /** The chosen services' names; empty: all. */
  services: string[];
  confirmedAt: Date | null;
  createdAt: Date;
}

export function subscriberCsvRow(row: SubscriberCsvRow): string {
  return csvRow([row.email, row.services.length === 0 ? "(all)" : row.services.join("; "), row.confirmedAt ? "yes" : "no", row.confirmedAt?.toISOString() ?? "", row.createdAt.toISOString()]);
}

const FIGURE = /^([-+]?[\d,]*\.?\d+(%| pp)?|–|-)$/;

/**
 * Plain-text tables for the terminal: left-aligned text, right-aligned numbers (and formatted figures).
 * @example formatTable([{ symbol: 'SPY', bars: 5314 }], ['symbol', 'bars'])
 */
export function formatTable<T extends object>(rows: readonly T[], columns: readonly (keyof T & string)[]): string {
  const get = (row: T, column: keyof T) => row[column] as unknown;
  const cell = (value: unknown): string => (value === null || value === undefined ? '-' : String(value));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(get(r, c)).length)));
  const line = (values: readonly unknown[], numeric: readonly boolean[]) =>
    values
      .map((v, i) => (numeric[i] ? cell(v).padStart(widths[i]!) : cell(v).padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  // Numbers, and figures already formatted (report-format.ts: "1,234.50", "-12.34%", "–"), right-aligned.
  const figure = (value: unknown) =>
    typeof value === 'number' || value === null || value === undefined || (typeof value === 'string' && FIGURE.test(value));
  const numeric = columns.map(
    (c) => rows.length > 0 && rows.every((r) => figure(get(r, c))) && rows.some((r) => get(r, c) !== null && get(r, c) !== undefined),
  );
  return [
    line(columns, numeric),
    line(
      widths.map((w) => '-'.repeat(w)),
      numeric,
    ),
    ...rows.map((r) =>
      line(
        columns.map((c) => get(r, c)),
        numeric,
      ),
    ),
  ].join('\n');
}

/**
 * The plain-text tables the CLI prints (src/util/table.ts: a header, a rule of dashes per column,
 * the rows), read back from a command's output, and the formatting rules they must keep: no
 * number with more decimals than its unit allows, percents written one way per table.
 */

export interface CliTable {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** Every table in `text`: a rule line (`----  --`, maybe indented) under its header, rows until a blank line. */
export function parseTables(text: string): CliTable[] {
  const lines = text.split('\n');
  const tables: CliTable[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (!/^ *-+( {2}-+)*$/.test(lines[i]!)) continue;
    const starts = [...lines[i]!.matchAll(/-+/g)].map((m) => m.index);
    const cells = (line: string) =>
      starts.map((start, c) => line.slice(start, c + 1 < starts.length ? starts[c + 1]! - 2 : undefined).trim());
    const rows: string[][] = [];
    for (let j = i + 1; j < lines.length && lines[j]!.trim() !== ''; j++) rows.push(cells(lines[j]!));
    tables.push({ header: cells(lines[i - 1]!), rows });
  }
  return tables;
}

const NUMBER = /^[-+]?(\d{1,3}(,\d{3})*|\d+)(\.(\d+))?(%)?$/;
/** Figures that are fractions of something: a table must show them as percents. */
const PERCENT_QUANTITY = /cagr|return|drawdown|^max_dd|volatility|weight|win_rate|^target$|^previous$/;
const MONEY = /price|value|cost|pnl|cash|invested|fees|amount|added/i;
const SHARES = /shares/i;
const RATIO = /sharpe|sortino|calmar/i;
const DRAWDOWN = /drawdown|^max_dd/i;

/**
 * What is wrong with a table's formatting, in words (empty when nothing): money to cents (exactly),
 * shares to 4 decimals at most, percents and ratios (Sharpe, Sortino, Calmar) to 2 and other
 * figures to 3; drawdowns negative (or zero); a percent column says % in every
 * cell or once in its header (`_pct`), never both, the same way across the table; and a figure
 * that is a fraction (CAGR, a return, a drawdown, a weight) is never shown as a bare fraction.
 */
export function formatViolations(given: CliTable): string[] {
  // A table of figures down and runs across (header "figure"): its units go by row, so read it turned.
  const turned = given.header[0] === 'figure';
  const table = turned ? transpose(given) : given;
  // A change between two drawdowns has either sign.
  const signed = (row: number) => turned && given.header[row + 1] === 'change';
  const problems: string[] = [];
  const styles = new Set<string>();
  table.header.forEach((name, c) => {
    const numbered = table.rows.map((r, row) => ({ cell: r[c]!, row })).filter(({ cell }) => NUMBER.test(cell));
    const cells = numbered.map(({ cell }) => cell);
    const withSign = cells.filter((cell) => cell.endsWith('%'));
    const inHeader = /pct|%/.test(name);
    if (withSign.length > 0 && withSign.length < cells.length) problems.push(`${name}: % on some cells only`);
    if (inHeader && withSign.length > 0) problems.push(`${name}: % in the header and in the cells`);
    const percent = inHeader || (cells.length > 0 && withSign.length === cells.length);
    if (percent) styles.add(inHeader ? 'header' : 'cells');
    if (PERCENT_QUANTITY.test(name) && cells.length > 0 && !percent)
      problems.push(`${name}: a fraction shown without a percent unit (${cells[0]})`);
    const money = !percent && MONEY.test(name);
    const limit = percent || money || RATIO.test(name) ? 2 : SHARES.test(name) ? 4 : 3;
    for (const { cell, row } of numbered) {
      const decimals = NUMBER.exec(cell)![4]?.length ?? 0;
      if (decimals > limit) problems.push(`${name}: ${cell} has ${decimals} decimals (at most ${limit})`);
      else if (money && decimals !== 2) problems.push(`${name}: ${cell} is money not to cents`);
      if (DRAWDOWN.test(name) && !signed(row) && parseFloat(cell.replace(/,/g, '')) > 0)
        problems.push(`${name}: ${cell} is a drawdown shown positive`);
    }
  });
  if (styles.size > 1) problems.push(`percents written two ways in one table (${[...styles].join(' and ')})`);
  return problems;
}

function transpose(table: CliTable): CliTable {
  return {
    header: table.rows.map((r) => r[0]!),
    rows: table.header.slice(1).map((_, c) => table.rows.map((r) => r[c + 1]!)),
  };
}

/**
 * The ETL gate: candidate rows from a provider -> bars that follow the spec, rows rejected with
 * a reason, and rows flagged as suspicious (kept, reported).
 *
 * Rejected (the rest of the batch is still stored):
 *   non-finite or non-positive prices; high < max(open, close); low > min(open, close); high < low;
 *   negative or non-finite volume; an invalid timestamp; duplicate timestamps (identical duplicates
 *   keep one row, conflicting ones are all rejected: there is no telling which is right).
 * Flagged: a bar whose adjusted close moves more than 50% from the previous bar. When the raw
 * close jumps but adj_close does not, the jump is a split the adjustment already explains (not
 * flagged); when adj_close jumps with it, the adjustment is missing a split or the move is real.
 */
import { formatBarTime, type Bar, type Interval } from './bar.js';
import type { CandidateBar } from './providers/price-provider.js';

export const JUMP_THRESHOLD = 0.5;

export interface RowIssue {
  readonly symbol: string;
  readonly line: number | undefined;
  /** The bar time as the user knows it (date or ISO instant), when it could be read. */
  readonly ts: string | undefined;
  readonly reason: string;
}

export interface ValidationResult {
  /** Valid bars in ascending time order. */
  readonly accepted: readonly Bar[];
  readonly rejected: readonly RowIssue[];
  readonly flagged: readonly RowIssue[];
}

export interface ValidationContext {
  readonly symbol: string;
  readonly interval: Interval;
  readonly source: string;
  /** The stored bar just before this batch, so the first new bar's jump can be checked. */
  readonly previous?: Pick<Bar, 'ts' | 'close' | 'adj_close'> | undefined;
}

const PRICE_KEYS = ['open', 'high', 'low', 'close', 'adj_close'] as const;

/** Reasons a single row breaks the spec, in the order a reader would check them. */
export function rowProblems(row: CandidateBar): string[] {
  const problems: string[] = [];
  if (!Number.isFinite(row.ts)) problems.push('invalid timestamp');
  for (const key of PRICE_KEYS) {
    const value = row[key];
    if (!Number.isFinite(value)) problems.push(`${key} is not a number`);
    else if (value <= 0) problems.push(`${key} must be positive (got ${value})`);
  }
  if (!Number.isFinite(row.volume)) problems.push('volume is not a number');
  else if (row.volume < 0) problems.push(`volume must not be negative (got ${row.volume})`);
  if (problems.length > 0) return problems;
  if (row.high < row.low) problems.push(`high ${row.high} is below low ${row.low}`);
  if (row.high < Math.max(row.open, row.close)) problems.push(`high ${row.high} is below max(open ${row.open}, close ${row.close})`);
  if (row.low > Math.min(row.open, row.close)) problems.push(`low ${row.low} is above min(open ${row.open}, close ${row.close})`);
  return problems;
}

/** rowProblems(row) is empty, checked without building the reasons (imports check every row). */
function isWellFormed(row: CandidateBar): boolean {
  const { open, high, low, close, adj_close, volume } = row;
  // Comparisons with NaN are false: a NaN anywhere fails a check below.
  return (
    Number.isFinite(row.ts) &&
    open > 0 &&
    close > 0 &&
    adj_close > 0 &&
    adj_close < Infinity &&
    volume >= 0 &&
    volume < Infinity &&
    low > 0 &&
    high < Infinity &&
    high >= low &&
    high >= open &&
    high >= close &&
    low <= open &&
    low <= close
  );
}

/**
 * @example const { accepted, rejected, flagged } = validateBars(rows, { symbol: 'SPY', interval: '1d', source: 'csv' })
 */
export function validateBars(rows: readonly CandidateBar[], context: ValidationContext): ValidationResult {
  const { symbol, interval } = context;
  const issue = (row: CandidateBar, reason: string): RowIssue => ({
    symbol,
    line: row.line,
    ts: Number.isFinite(row.ts) ? formatBarTime(row.ts, interval) : undefined,
    reason,
  });

  const rejected: RowIssue[] = [];
  const valid: CandidateBar[] = [];
  for (const row of rows) {
    if (isWellFormed(row)) {
      valid.push(row);
      continue;
    }
    rejected.push(issue(row, rowProblems(row).join('; ')));
  }

  const unique = dropDuplicates(valid, (row, reason) => rejected.push(issue(row, reason)));

  const flagged: RowIssue[] = [];
  let previous = context.previous;
  const accepted: Bar[] = unique.map((row) => {
    if (previous && previous.ts < row.ts) {
      const jump = describeJump(previous, row);
      if (jump) flagged.push(issue(row, jump));
    }
    previous = row;
    return {
      symbol,
      interval,
      ts: row.ts,
      open: row.open,
      high: row.high,
      low: row.low,
      close: row.close,
      adj_close: row.adj_close,
      volume: row.volume,
      source: context.source,
    };
  });
  return { accepted, rejected, flagged };
}

/** Rows in time order with duplicate times resolved; the input is sorted in place (it is ours). */
function dropDuplicates(rows: CandidateBar[], reject: (row: CandidateBar, reason: string) => void): CandidateBar[] {
  // Stable sort keeps file order within a time, so "first" means first in the file.
  rows.sort((a, b) => a.ts - b.ts);
  const kept: CandidateBar[] = [];
  for (let i = 0; i < rows.length;) {
    let end = i + 1;
    while (end < rows.length && rows[end]!.ts === rows[i]!.ts) end++;
    const first = rows[i]!;
    if (end === i + 1) kept.push(first);
    else {
      const group = rows.slice(i, end);
      const lines = group.map((r) => r.line).filter((l) => l !== undefined);
      const where = lines.length > 0 ? ` (lines ${lines.join(', ')})` : '';
      if (group.every((row) => sameValues(row, first))) {
        kept.push(first);
        for (const row of group.slice(1)) reject(row, `duplicate of an identical row for the same time${where}; one kept`);
      } else {
        for (const row of group) reject(row, `conflicting duplicate rows for the same time${where}; none kept`);
      }
    }
    i = end;
  }
  return kept;
}

function sameValues(a: CandidateBar, b: CandidateBar): boolean {
  return PRICE_KEYS.every((k) => a[k] === b[k]) && a.volume === b.volume;
}

function describeJump(previous: Pick<Bar, 'close' | 'adj_close'>, row: CandidateBar): string | undefined {
  const adjReturn = row.adj_close / previous.adj_close - 1;
  if (Math.abs(adjReturn) <= JUMP_THRESHOLD) return undefined;
  const closeReturn = row.close / previous.close - 1;
  const pct = (r: number) => `${r >= 0 ? '+' : ''}${(r * 100).toFixed(1)}%`;
  const sameMove = Math.abs(Math.log1p(closeReturn) - Math.log1p(adjReturn)) < 0.05;
  return sameMove
    ? `suspicious jump: close and adj_close both moved ${pct(adjReturn)} in one bar with no matching adjustment: a split missing from adj_close, or a real move; check the source`
    : `suspicious jump: adj_close moved ${pct(adjReturn)} while close moved ${pct(closeReturn)}: the adjustment looks wrong; check the source`;
}

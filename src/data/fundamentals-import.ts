/**
 * A user's own fundamentals from a CSV file: header `symbol,field,period_end,period_type,value`
 * and optionally `reported_date` and `source` (any order, any case), one value a row. Rows are
 * checked by validate-fundamentals.ts and the kept ones stored point in time (fundamentals-store.ts):
 * a row already stored is unchanged, so importing the same file again stores nothing; a row whose
 * key is stored with another value is refused (a restatement needs its own reported_date).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import Papa from 'papaparse';
import type { Database } from '../db/database.js';
import { DataError, errorMessage } from '../errors.js';
import { storeFundamentals } from './fundamentals-store.js';
import { validateFundamentals, type FundamentalInput, type FundamentalProblem } from './validate-fundamentals.js';

const COLUMNS = ['symbol', 'field', 'period_end', 'period_type', 'value', 'reported_date', 'source'] as const;
const REQUIRED = COLUMNS.slice(0, 5);

export interface FundamentalsImport {
  readonly file: string;
  readonly rows: number;
  readonly stored: number;
  readonly unchanged: number;
  /** Values kept with a flag (stored now or before), with the reason. */
  readonly flagged: readonly FundamentalProblem[];
  /** Rows not stored, with the reason (validation, or a stored value of the same key). */
  readonly rejected: readonly FundamentalProblem[];
  /** Rows repeating an earlier row of the file (kept once). */
  readonly repeated: readonly FundamentalProblem[];
  /** Symbols of the file with no value kept. */
  readonly withoutValues: readonly string[];
}

/**
 * Reads a fundamentals CSV file into rows to validate; a file without the required columns is a DataError.
 * @example readFundamentalsCsv('my-fundamentals.csv') // [{ line: 2, symbol: 'AAPL', field: 'revenue', ... }]
 */
export function readFundamentalsCsv(file: string): { rows: FundamentalInput[]; problems: FundamentalProblem[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').replace(/^\ufeff/, '');
  } catch (error) {
    throw new DataError(`cannot read ${file}: ${errorMessage(error)}`);
  }
  const name = basename(file);
  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: 'greedy' });
  const [header, ...records] = parsed.data;
  const columns = (header ?? []).map((h) => h.trim().toLowerCase());
  const at = Object.fromEntries(COLUMNS.map((c) => [c, columns.indexOf(c)])) as Record<(typeof COLUMNS)[number], number>;
  const missing = REQUIRED.filter((c) => at[c] < 0);
  if (missing.length > 0)
    throw new DataError(
      `${name}: header ${JSON.stringify((header ?? []).join(','))} lacks ${missing.join(', ')}; expected ${REQUIRED.join(',')}[,reported_date][,source]`,
    );
  if (records.length === 0) throw new DataError(`${name} has a header but no data rows`);
  // Papa's error rows count records from 0 (the header); a row's line counts the header as 1 and skips blank lines.
  const broken = new Set(parsed.errors.map((e) => e.row ?? -1));
  const problems: FundamentalProblem[] = [];
  const rows: FundamentalInput[] = [];
  records.forEach((fields, i) => {
    const line = i + 2;
    const get = (c: (typeof COLUMNS)[number]) => (at[c] < 0 ? undefined : fields[at[c]]);
    if (broken.has(i + 1) || fields.length !== columns.length)
      problems.push({
        line,
        symbol: (get('symbol') ?? '').trim().toUpperCase(),
        reason: `expected ${columns.length} fields, got ${fields.length}`,
      });
    else
      rows.push({
        line,
        symbol: get('symbol'),
        field: get('field'),
        periodEnd: get('period_end'),
        periodType: get('period_type'),
        value: get('value'),
        reportedDate: get('reported_date'),
        source: get('source'),
      });
  });
  return { rows, problems };
}

/** What became of rows checked and stored (a file's or a provider's). */
export type FundamentalsStored = Omit<FundamentalsImport, 'file'>;

/**
 * Reads, checks and stores a fundamentals CSV file.
 * @example const report = await importFundamentals(db, 'my-fundamentals.csv')
 */
export async function importFundamentals(db: Database, file: string, now = Date.now()): Promise<FundamentalsImport> {
  const read = readFundamentalsCsv(file);
  return { file, ...(await checkAndStoreFundamentals(db, read.rows, read.problems, { source: 'csv', now })) };
}

/**
 * Checks rows (validate-fundamentals.ts) and stores the kept ones; `problems` are rows refused
 * before (unreadable), counted and reported with the others.
 * @example await checkAndStoreFundamentals(db, rows, [], { source: 'yahoo', now: Date.now() })
 */
export async function checkAndStoreFundamentals(
  db: Database,
  rows: readonly FundamentalInput[],
  problems: readonly FundamentalProblem[],
  options: { readonly source: string; readonly now: number },
): Promise<FundamentalsStored> {
  const checked = validateFundamentals(rows, options);
  const writes = await storeFundamentals(db, checked.values);
  const flaggedLines = new Set(checked.flagged.map((f) => f.line));
  const conflicts = writes.flatMap((w, i) => {
    if (w.outcome !== 'conflict') return [];
    const v = checked.values[i]!;
    flaggedLines.delete(v.line);
    const reason = `${v.field} ${v.periodType} ${v.periodEnd} from ${v.source} is stored with ${w.existing} for the same reported date: a restatement needs its own reported_date`;
    return [{ line: v.line, symbol: v.symbol, reason }];
  });
  const refused = new Set(conflicts.map((c) => c.symbol));
  const kept = new Set(writes.filter((w) => w.outcome !== 'conflict').map((w) => w.value.symbol));
  const withoutValues = new Set([...checked.withoutValues, ...[...refused].filter((s) => !kept.has(s))]);
  return {
    rows: rows.length + problems.length,
    stored: writes.filter((w) => w.outcome === 'stored').length,
    unchanged: writes.filter((w) => w.outcome === 'unchanged').length,
    flagged: checked.flagged.filter((f) => flaggedLines.has(f.line)),
    rejected: [...problems, ...checked.rejected, ...conflicts].sort((a, b) => a.line - b.line),
    repeated: checked.repeated,
    withoutValues: [...withoutValues].sort(),
  };
}

/**
 * Checks fundamental rows as read from a source (text fields, as in a CSV): each row is kept (some
 * with a flag) or rejected with its reason, and the others are kept. Pure: the caller stores.
 *
 * Rejected: a missing column value, an unknown field or period type, a date that is not a calendar
 * date, a value that is not a finite decimal, a period ending after `now`, a reported date before
 * its period's end (periods out of order), and two rows of one key (symbol, field, period, known_at,
 * source) with different values (neither is kept). A repeat of a row with the same value is kept
 * once. Flagged but kept: a negative value of a field that cannot be negative ('negative'), a
 * magnitude beyond ABSURD_ABOVE ('absurd'). A symbol whose rows were all rejected is named.
 */
import { dateToTs } from '../util/calendar-date.js';
import { isValidSymbol } from './bar.js';
import {
  ABSURD_ABOVE,
  FUNDAMENTAL_FIELD_NAMES,
  FUNDAMENTAL_FIELDS,
  PERIOD_TYPES,
  isFundamentalField,
  knownAtOf,
  type FundamentalFlag,
  type FundamentalValue,
  type PeriodType,
} from './fundamental.js';

/** One row as read: text fields, absent or empty when the source left them out. */
export interface FundamentalInput {
  /** Where it was read (a CSV line, the header being line 1). */
  readonly line: number;
  readonly symbol?: string | undefined;
  readonly field?: string | undefined;
  readonly periodEnd?: string | undefined;
  readonly periodType?: string | undefined;
  readonly value?: string | undefined;
  readonly reportedDate?: string | undefined;
  readonly source?: string | undefined;
}

export interface FundamentalProblem {
  readonly line: number;
  readonly symbol: string;
  readonly reason: string;
}

export interface FundamentalValidation {
  /** Values to store, in input order, each once; flagged ones carry their flag. */
  readonly values: readonly (FundamentalValue & { readonly line: number })[];
  readonly rejected: readonly FundamentalProblem[];
  readonly flagged: readonly FundamentalProblem[];
  /** Rows repeating an earlier one exactly (not stored twice). */
  readonly repeated: readonly FundamentalProblem[];
  /** Symbols of the input with no row kept. */
  readonly withoutValues: readonly string[];
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * @example validateFundamentals([{ line: 2, symbol: 'AAPL', field: 'revenue', periodEnd: '2024-03-30', periodType: 'quarterly', value: '9.08e10' }], { source: 'csv', now: Date.now() })
 */
export function validateFundamentals(
  rows: readonly FundamentalInput[],
  options: { readonly source: string; readonly now: number },
): FundamentalValidation {
  const rejected: FundamentalProblem[] = [];
  const flagged: FundamentalProblem[] = [];
  const repeated: FundamentalProblem[] = [];
  const byKey = new Map<string, { value: FundamentalValue & { line: number }; contradicted: boolean }>();
  const symbols = new Set<string>();
  for (const row of rows) {
    const symbol = (row.symbol ?? '').trim().toUpperCase();
    if (symbol !== '') symbols.add(symbol);
    const checked = checkRow(row, symbol, options);
    if (typeof checked === 'string') {
      rejected.push({ line: row.line, symbol, reason: checked });
      continue;
    }
    const key = [checked.symbol, checked.field, checked.periodEnd, checked.periodType, checked.knownAt, checked.source].join('|');
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, { value: checked, contradicted: false });
      if (checked.flag) flagged.push({ line: row.line, symbol, reason: flagReason(checked) });
    } else if (seen.value.value === checked.value) {
      repeated.push({ line: row.line, symbol, reason: `repeats line ${seen.value.line}` });
    } else {
      if (!seen.contradicted) rejected.push({ line: seen.value.line, symbol, reason: `contradicted by line ${row.line}` });
      seen.contradicted = true;
      rejected.push({
        line: row.line,
        symbol,
        reason: `${checked.field} ${checked.periodType} ${checked.periodEnd} = ${checked.value} contradicts line ${seen.value.line} (${seen.value.value}) with the same reported date and source: neither is kept`,
      });
    }
  }
  const kept = [...byKey.values()].filter((e) => !e.contradicted).map((e) => e.value);
  const keptFlagged = new Set(kept.map((v) => v.line));
  const withValues = new Set(kept.map((v) => v.symbol));
  return {
    values: kept,
    rejected: rejected.sort((a, b) => a.line - b.line),
    flagged: flagged.filter((f) => keptFlagged.has(f.line)),
    repeated,
    withoutValues: [...symbols].filter((s) => !withValues.has(s)).sort(),
  };
}

/** A row as a value, or what is wrong with it. */
function checkRow(
  row: FundamentalInput,
  symbol: string,
  options: { readonly source: string; readonly now: number },
): (FundamentalValue & { line: number }) | string {
  const text = {
    symbol,
    field: (row.field ?? '').trim().toLowerCase(),
    period_end: (row.periodEnd ?? '').trim(),
    period_type: (row.periodType ?? '').trim().toLowerCase(),
    value: (row.value ?? '').trim(),
  };
  const missing = Object.entries(text).filter(([, v]) => v === '');
  if (missing.length > 0) return `missing ${missing.map(([k]) => k).join(', ')}`;
  if (!isValidSymbol(symbol)) return `invalid symbol ${JSON.stringify(row.symbol)}`;
  if (!isFundamentalField(text.field))
    return `unknown field ${JSON.stringify(row.field)}: expected one of ${FUNDAMENTAL_FIELD_NAMES.join(', ')}`;
  if (!(PERIOD_TYPES as readonly string[]).includes(text.period_type))
    return `unknown period type ${JSON.stringify(row.periodType)}: expected ${PERIOD_TYPES.join(', ')}`;
  const periodType = text.period_type as PeriodType;
  const periodEnd = dateToTs(text.period_end);
  if (!Number.isFinite(periodEnd)) return `invalid period_end ${JSON.stringify(text.period_end)}: expected YYYY-MM-DD`;
  const value = DECIMAL.test(text.value) ? Number(text.value) : Number.NaN;
  if (!Number.isFinite(value)) return `value ${JSON.stringify(text.value)} is not a finite decimal number`;
  if (periodEnd > options.now) return `period_end ${text.period_end} is in the future`;
  const reportedText = (row.reportedDate ?? '').trim();
  const reported = reportedText === '' ? null : dateToTs(reportedText);
  if (reported !== null && !Number.isFinite(reported)) return `invalid reported_date ${JSON.stringify(reportedText)}: expected YYYY-MM-DD`;
  if (reported !== null && reported < periodEnd)
    return `reported_date ${reportedText} is before period_end ${text.period_end} (periods out of order)`;
  const source = (row.source ?? '').trim() || options.source;
  return {
    line: row.line,
    symbol,
    field: text.field,
    periodEnd: text.period_end,
    periodType,
    value,
    knownAt: knownAtOf(periodEnd, periodType, reported),
    source,
    flag: flagOf(text.field, value),
  };
}

function flagOf(field: keyof typeof FUNDAMENTAL_FIELDS, value: number): FundamentalFlag | null {
  const spec = FUNDAMENTAL_FIELDS[field];
  if (Math.abs(value) > ABSURD_ABOVE[spec.kind]) return 'absurd';
  if (spec.nonNegative && value < 0) return 'negative';
  return null;
}

function flagReason(value: FundamentalValue): string {
  const spec = FUNDAMENTAL_FIELDS[value.field];
  return value.flag === 'absurd'
    ? `absurd: ${value.field} ${value.periodEnd} = ${value.value} is beyond ${ABSURD_ABOVE[spec.kind]} (${spec.kind}); stored flagged`
    : `negative: ${value.field} ${value.periodEnd} = ${value.value} cannot be below 0; stored flagged`;
}

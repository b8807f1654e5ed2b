/**
 * How reports write numbers, money and dates: the Handlebars helpers call these, so the HTML and
 * the text part say every figure the same way. Missing figures (null, undefined, NaN) become "–".
 */

export const MISSING = '–';

const isMissing = (x: number | null | undefined): x is null | undefined => x === null || x === undefined || !Number.isFinite(x);

const grouped = (x: number, digits: number) => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** @example formatPercent(0.1234) // "12.3%" */
export function formatPercent(x: number | null | undefined, digits = 1): string {
  return isMissing(x) ? MISSING : `${grouped(x * 100, digits)}%`;
}

/**
 * A drawdown, given as its depth (a positive fraction below the peak), shown negative as every table
 * shows it; none is "0.00%". @example formatDrawdown(0.123) // "-12.30%"
 */
export function formatDrawdown(depth: number | null | undefined, digits = 2): string {
  if (isMissing(depth)) return MISSING;
  const text = formatPercent(-depth, digits);
  return /^-0(\.0*)?%$/.test(text) ? formatPercent(0, digits) : text;
}

/** With a sign, for changes and returns. @example formatSignedPercent(-0.05) // "-5.0%" */
export function formatSignedPercent(x: number | null | undefined, digits = 1): string {
  return signed(x, digits, '%');
}

/** A weight change in percentage points. @example formatPoints(0.025) // "+2.5 pp" */
export function formatPoints(x: number | null | undefined, digits = 1): string {
  return signed(x, digits, ' pp');
}

/** x as a signed percentage; what rounds to zero is shown unsigned. */
function signed(x: number | null | undefined, digits: number, suffix: string): string {
  if (isMissing(x)) return MISSING;
  const text = grouped(x * 100, digits);
  if (/^-?0(\.0*)?$/.test(text)) return `${grouped(0, digits)}${suffix}`;
  return `${x > 0 ? '+' : ''}${text}${suffix}`;
}

/** @example formatMoney(1234.5, 'USD') // "$1,234.50"; unknown codes: "1,234.50 ABC" */
export function formatMoney(x: number | null | undefined, currency: string): string {
  if (isMissing(x)) return MISSING;
  try {
    return x.toLocaleString('en-US', { style: 'currency', currency, currencyDisplay: 'narrowSymbol' });
  } catch {
    return `${grouped(x, 2)} ${currency}`;
  }
}

/** @example formatNumber(1.23456, 2) // "1.23" */
export function formatNumber(x: number | null | undefined, digits = 2): string {
  return isMissing(x) ? MISSING : grouped(x, digits);
}

/** Decimals of fractional shares whose lot is not known (a fractional backtest). */
const SHARE_DIGITS = 4;

/**
 * Shares to the precision they trade in: with the lot size known, to its decimals (whole lots of
 * 1 or 100 shares: none; lots of 0.01: 2), else whole shares without decimals and fractional ones
 * with up to 4. @example formatShares(1200) // "1,200"; formatShares(2.5, 0.01) // "2.50"
 */
export function formatShares(x: number | null | undefined, lotSize?: number): string {
  if (isMissing(x)) return MISSING;
  if (lotSize === undefined || !Number.isFinite(lotSize) || lotSize <= 0)
    return x.toLocaleString('en-US', { maximumFractionDigits: SHARE_DIGITS });
  return grouped(x, decimalsOf(lotSize));
}

/** 100 -> 0, 0.25 -> 2, 1e-8 -> 8 (what the shortest exact decimal writing of the number needs). */
function decimalsOf(x: number): number {
  const [mantissa = '', exponent = '0'] = x.toExponential().split('e');
  const fraction = mantissa.split('.')[1]?.length ?? 0;
  return Math.min(20, Math.max(0, fraction - Number(exponent)));
}

/** A file size: 151049 -> "147.5 KB" (KB = 1,024 bytes), megabytes to 2 decimals. */
export function formatBytes(bytes: number | null | undefined): string {
  if (isMissing(bytes)) return MISSING;
  return bytes < 1024 * 1024 ? `${grouped(bytes / 1024, 1)} KB` : `${grouped(bytes / 1024 / 1024, 2)} MB`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** An ISO date as "2 Jan 2024" (day-month order nobody misreads); anything else is shown as given. */
export function formatDate(iso: string | null | undefined): string {
  if (iso === null || iso === undefined || iso === '') return MISSING;
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!match) return iso;
  const month = MONTHS[Number(match[2]) - 1];
  return month ? `${Number(match[3])} ${month} ${match[1]}` : iso;
}

/** An instant as "2024-01-02 22:30:05 UTC". */
export function formatInstant(value: string | Date | null | undefined): string {
  if (value === null || value === undefined || value === '') return MISSING;
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** @example formatDays(0) // "today"; formatDays(3) // "3 days" */
export function formatDays(days: number | null | undefined): string {
  if (isMissing(days)) return MISSING;
  if (days === 0) return 'today';
  return days === 1 ? '1 day' : `${grouped(days, 0)} days`;
}

/** Seconds between two instants, as "2.5 s" or "3 min 4 s". */
export function formatDuration(from: string | Date | null | undefined, to: string | Date | null | undefined): string {
  if (!from || !to) return MISSING;
  const ms = new Date(to).getTime() - new Date(from).getTime();
  if (!Number.isFinite(ms) || ms < 0) return MISSING;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms - minutes * 60_000) / 1000)} s`;
}

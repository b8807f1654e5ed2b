/**
 * Fundamental data as values stored point in time (sql/019_fundamentals.sql): one figure of one
 * symbol for one period, with the instant the market could first know it.
 *
 * Fields are the documented list below, each with its kind: `money` (in the reporting currency),
 * `per_share`, `ratio` (a fraction: 0.15 for a 15% return on equity) or `count`. `nonNegative`
 * marks a field that cannot be below 0 (a negative revenue is stored flagged 'negative').
 *
 * The lag rule: known_at is the source's reported date where it gives one, otherwise the period end
 * plus PUBLICATION_LAG_DAYS of its period type. The SEC's deadlines are 40 days after a quarter
 * (10-Q) and 60 after a fiscal year (10-K) for large accelerated filers, 45 and 90 for
 * non-accelerated filers; 45 and 90 cover every filer on time, the margin the large ones' late
 * filings (an NT 10-Q adds 5 days, an NT 10-K 15) and foreign calendars. A trailing twelve months
 * ends with a quarter, so it takes the quarterly lag. A date (no time) is 00:00 UTC of that day;
 * what a bar then sees of it is the rule of fundamentals.ts (from the UTC day after).
 */
export const FUNDAMENTAL_FIELDS = {
  revenue: { kind: 'money', nonNegative: true },
  gross_profit: { kind: 'money', nonNegative: false },
  operating_income: { kind: 'money', nonNegative: false },
  net_income: { kind: 'money', nonNegative: false },
  eps_basic: { kind: 'per_share', nonNegative: false },
  eps_diluted: { kind: 'per_share', nonNegative: false },
  dividends_per_share: { kind: 'per_share', nonNegative: true },
  book_value_per_share: { kind: 'per_share', nonNegative: false },
  total_assets: { kind: 'money', nonNegative: true },
  total_debt: { kind: 'money', nonNegative: true },
  total_equity: { kind: 'money', nonNegative: false },
  cash: { kind: 'money', nonNegative: true },
  operating_cash_flow: { kind: 'money', nonNegative: false },
  free_cash_flow: { kind: 'money', nonNegative: false },
  shares_outstanding: { kind: 'count', nonNegative: true },
  roe: { kind: 'ratio', nonNegative: false },
  roa: { kind: 'ratio', nonNegative: false },
  gross_margin: { kind: 'ratio', nonNegative: false },
  debt_to_equity: { kind: 'ratio', nonNegative: false },
} as const satisfies Record<string, { kind: FieldKind; nonNegative: boolean }>;

export type FieldKind = 'money' | 'per_share' | 'ratio' | 'count';
export type FundamentalField = keyof typeof FUNDAMENTAL_FIELDS;
export const FUNDAMENTAL_FIELD_NAMES = Object.keys(FUNDAMENTAL_FIELDS) as FundamentalField[];

/**
 * Magnitudes beyond which a value is stored flagged 'absurd' (a unit slip, thousands read as units):
 * ten times the largest seen (the largest revenue ~7e11 USD, Berkshire A's book value per share ~5e5).
 */
export const ABSURD_ABOVE: Readonly<Record<FieldKind, number>> = { money: 1e13, per_share: 1e7, ratio: 100, count: 1e12 };

export const PERIOD_TYPES = ['quarterly', 'annual', 'ttm'] as const;
export type PeriodType = (typeof PERIOD_TYPES)[number];

/** Days from period end to known_at when the source gives no reported date (see the module comment). */
export const PUBLICATION_LAG_DAYS: Readonly<Record<PeriodType, number>> = { quarterly: 45, annual: 90, ttm: 45 };

const DAY_MS = 86_400_000;

/** Flags of a value stored but suspect. */
export type FundamentalFlag = 'negative' | 'absurd';

export interface FundamentalValue {
  readonly symbol: string;
  readonly field: FundamentalField;
  /** YYYY-MM-DD */
  readonly periodEnd: string;
  readonly periodType: PeriodType;
  readonly value: number;
  /** Epoch ms: when it became known (reported date, or period end plus the lag). */
  readonly knownAt: number;
  readonly source: string;
  readonly flag: FundamentalFlag | null;
}

/**
 * known_at of a value: its reported date (epoch ms of the day) when given, else period end plus the lag.
 * @example knownAtOf(Date.UTC(2024, 2, 31), 'quarterly', null) // Date.UTC(2024, 4, 15): 45 days later
 */
export function knownAtOf(periodEnd: number, periodType: PeriodType, reported: number | null): number {
  return reported ?? periodEnd + PUBLICATION_LAG_DAYS[periodType] * DAY_MS;
}

export function isFundamentalField(name: string): name is FundamentalField {
  return Object.hasOwn(FUNDAMENTAL_FIELDS, name);
}

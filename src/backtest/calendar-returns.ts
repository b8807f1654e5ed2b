/**
 * An equity curve by calendar month and year (UTC): the returns of the monthly-returns heatmap and
 * its yearly totals, and the turnover of each month. A month's return compounds its bars:
 * R_m = V(last bar of m) / V(last bar before m) - 1, with V before the first bar = the initial
 * cash, so the months chain exactly to the total return (prod(1 + R_m) = V_{n-1} / initialCash),
 * and a year's return is the product of its months. Partial first and last months are returns over
 * the bars they hold.
 */
export interface MonthReturn {
  readonly year: number;
  /** 1 = January. */
  readonly month: number;
  /** Fraction (0.02 = 2%). */
  readonly return: number;
}

export interface YearReturn {
  readonly year: number;
  readonly return: number;
}

export interface CalendarReturns {
  readonly months: readonly MonthReturn[];
  readonly years: readonly YearReturn[];
}

export interface MonthTurnover {
  readonly year: number;
  readonly month: number;
  /** Value traded in the month / mean equity of its bars (two-sided: 2 = the whole book sold and bought once). */
  readonly turnover: number;
}

/**
 * @example calendarReturns(Float64Array.of(Date.UTC(2024, 0, 31), Date.UTC(2024, 1, 29)), Float64Array.of(110, 99), 100)
 * // months: [{ 2024, 1, 0.1 }, { 2024, 2, -0.1 }], years: [{ 2024, -0.01 }]
 */
export function calendarReturns(dates: Float64Array, equity: Float64Array, initialCash: number): CalendarReturns {
  const months = closes(dates, equity, initialCash, monthKey).map(({ key, value, before }) => ({
    year: Math.floor(key / 12),
    month: (key % 12) + 1,
    return: value / before - 1,
  }));
  const years = closes(dates, equity, initialCash, (t) => new Date(t).getUTCFullYear()).map(({ key, value, before }) => ({
    year: key,
    return: value / before - 1,
  }));
  return { months, years };
}

/** @example monthlyTurnover(dates, equity, traded)[0] // { year: 2024, month: 1, turnover: 0.4 } */
export function monthlyTurnover(dates: Float64Array, equity: Float64Array, traded: Float64Array): MonthTurnover[] {
  const out: MonthTurnover[] = [];
  let start = 0;
  for (let t = 1; t <= dates.length; t++) {
    if (t < dates.length && monthKey(dates[t]!) === monthKey(dates[start]!)) continue;
    let sumTraded = 0;
    let sumEquity = 0;
    for (let i = start; i < t; i++) {
      sumTraded += traded[i]!;
      sumEquity += equity[i]!;
    }
    const key = monthKey(dates[start]!);
    out.push({ year: Math.floor(key / 12), month: (key % 12) + 1, turnover: sumTraded / (sumEquity / (t - start)) });
    start = t;
  }
  return out;
}

/** year x 12 + month index (0-11), in UTC. */
function monthKey(t: number): number {
  const d = new Date(t);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

/** The last value of each period and the value before it (the previous period's last, or the initial cash). */
function closes(dates: Float64Array, equity: Float64Array, initialCash: number, key: (t: number) => number) {
  const out: { key: number; value: number; before: number }[] = [];
  let before = initialCash;
  for (let t = 0; t < dates.length; t++) {
    const k = key(dates[t]!);
    if (t + 1 < dates.length && key(dates[t + 1]!) === k) continue;
    out.push({ key: k, value: equity[t]!, before });
    before = equity[t]!;
  }
  return out;
}

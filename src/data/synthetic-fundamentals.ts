/**
 * Seeded made-up fundamentals and qualitative data for the offline demo, the notebook and tests:
 * quarterly and annual statements, earnings announcements with the analysts' estimate, analysts' actions and
 * headlines, for any symbols (every source and title says "synthetic": never real figures).
 *
 * Per symbol and quarter: EPS grows by a drift of its own with noise; the analysts' estimate is the
 * EPS plus an error; the announcement falls 20-40 days after the quarter's end (a weekday), and the
 * statement values are known from it (known_rule 'reported'); a whole year's annual statement is
 * known 30 days after its fourth quarter's announcement. Analysts act about once a month, more
 * often upgrading after a beat and downgrading after a miss (revisions follow surprises, as in
 * Chan, Jegadeesh and Lakonishok 1996). Equity, debt and ROE make some names pass a quality filter
 * and others fail it. Nothing here knows the prices: no signal is planted in returns.
 */
import { MS_PER_DAY } from './bar.js';
import type { FundamentalField, FundamentalValue, PeriodType } from './fundamental.js';
import type { AnalystAction, AnalystActionKind, EarningsEvent, NewsHeadline } from './qualitative.js';
import { createRandom, type Random } from '../util/random.js';

export const SYNTHETIC_SOURCE = 'synthetic';
const FIRMS = ['Synthetic Securities', 'Made-Up Capital', 'Example Research', 'Demo Partners', 'Sample & Co'];

export interface SyntheticFundamentalsOptions {
  readonly symbols: readonly string[];
  /** Quarters ending from this day (epoch ms) ... */
  readonly from: number;
  /** ... to this one, announcements and actions up to it only. */
  readonly to: number;
  readonly seed?: number;
}

export interface SyntheticFundamentals {
  readonly values: FundamentalValue[];
  readonly earnings: EarningsEvent[];
  readonly actions: AnalystAction[];
  readonly headlines: NewsHeadline[];
}

/**
 * @example const data = syntheticFundamentals({ symbols: ['AAA'], from: Date.UTC(2015, 0, 1), to: Date.UTC(2020, 0, 1) })
 */
export function syntheticFundamentals(options: SyntheticFundamentalsOptions): SyntheticFundamentals {
  const out: SyntheticFundamentals = { values: [], earnings: [], actions: [], headlines: [] };
  options.symbols.forEach((symbol, index) => generateSymbol(symbol, createRandom((options.seed ?? 7) * 1_000 + index), options, out));
  // one firm acting twice at the same instant would be one row: keep the first
  const seen = new Set<string>();
  const actions = out.actions.filter((a) => {
    const key = `${a.symbol}|${a.actedAt}|${a.firm}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { ...out, actions };
}

function generateSymbol(symbol: string, random: Random, options: SyntheticFundamentalsOptions, out: SyntheticFundamentals): void {
  const shares = 1e8 * (1 + random.integer(1, 20));
  const growth = 0.01 + 0.02 * random.normal(); // EPS drift a quarter
  const leverage = Math.abs(0.2 + 1.2 * random.next() ** 2 * 3); // debt / equity, a few above 2
  const bookPerShare = 10 + 20 * random.next();
  let eps = 0.5 + random.next();
  let equity = bookPerShare * shares;
  const yearIncome: number[] = [];
  const value = (
    field: FundamentalField,
    periodEnd: string,
    v: number,
    knownAt: number,
    periodType: PeriodType = 'quarterly',
  ): FundamentalValue => ({
    symbol,
    field,
    periodEnd,
    periodType,
    value: v,
    knownAt,
    source: SYNTHETIC_SOURCE,
    flag: null,
  });
  for (const quarterEnd of quarterEnds(options.from, options.to)) {
    eps = eps * (1 + growth) + 0.08 * random.normal();
    const estimate = round(eps - 0.06 * random.normal(), 2);
    const actual = round(eps, 2);
    const announced = weekday(quarterEnd + random.integer(20, 40) * MS_PER_DAY);
    if (announced > options.to) break;
    const periodEnd = isoDate(quarterEnd);
    const netIncome = actual * shares;
    equity += netIncome * 0.6; // 40% paid out
    const debt = equity * leverage;
    out.values.push(
      value('eps_diluted', periodEnd, actual, announced),
      value('net_income', periodEnd, netIncome, announced),
      value('revenue', periodEnd, Math.abs(netIncome) * (5 + random.next() * 5), announced),
      value('total_equity', periodEnd, equity, announced),
      value('total_debt', periodEnd, debt, announced),
      value('debt_to_equity', periodEnd, debt / equity, announced),
      value('roe', periodEnd, (4 * netIncome) / equity, announced),
    );
    yearIncome.push(netIncome);
    if (new Date(quarterEnd).getUTCMonth() === 11) {
      // the annual report, a month after the fourth quarter's announcement, when the year is whole
      if (yearIncome.length === 4) {
        const income = yearIncome.reduce((a, b) => a + b, 0);
        const filed = weekday(announced + 30 * MS_PER_DAY);
        if (filed <= options.to)
          out.values.push(
            value('net_income', periodEnd, income, filed, 'annual'),
            value('eps_diluted', periodEnd, income / shares, filed, 'annual'),
            value('total_equity', periodEnd, equity, filed, 'annual'),
            value('total_debt', periodEnd, debt, filed, 'annual'),
            value('roe', periodEnd, income / equity, filed, 'annual'),
            value('debt_to_equity', periodEnd, debt / equity, filed, 'annual'),
          );
      }
      yearIncome.length = 0;
    }
    out.earnings.push({
      symbol,
      periodEnd,
      epsActual: actual,
      epsEstimate: estimate,
      knownAt: announced,
      knownRule: 'reported',
      source: SYNTHETIC_SOURCE,
    });
    const beat = actual >= estimate;
    out.headlines.push({
      symbol,
      id: `${symbol}-${periodEnd}`,
      title: `${symbol} (synthetic) ${beat ? 'beats' : 'misses'} estimates: EPS ${actual.toFixed(2)} against ${estimate.toFixed(2)} expected`,
      publisher: 'Synthetic Wire',
      link: `https://example.com/synthetic/${encodeURIComponent(symbol)}/${periodEnd}`,
      publishedAt: announced + 21 * 3_600_000, // 21:00 UTC, after the close
      source: SYNTHETIC_SOURCE,
    });
    // the quarter's analysts' actions, in the ~90 days after the announcement
    const count = random.integer(1, 4);
    for (let k = 0; k < count; k++) {
      const actedAt = weekday(announced + random.integer(1, 88) * MS_PER_DAY) + 13 * 3_600_000;
      if (actedAt > options.to) continue;
      const draw = random.next();
      const action: AnalystActionKind = draw < (beat ? 0.5 : 0.15) ? 'up' : draw < 0.65 ? 'down' : 'main';
      out.actions.push({
        symbol,
        actedAt,
        firm: FIRMS[random.integer(0, FIRMS.length - 1)]!,
        action,
        fromGrade: action === 'up' ? 'Hold' : 'Buy',
        toGrade: action === 'up' ? 'Buy' : action === 'down' ? 'Hold' : 'Buy',
        source: SYNTHETIC_SOURCE,
      });
    }
  }
}

/** Calendar quarter ends (00:00 UTC of Mar 31, Jun 30, Sep 30, Dec 31) in [from, to]. */
function quarterEnds(from: number, to: number): number[] {
  const ends: number[] = [];
  const start = new Date(from);
  for (let year = start.getUTCFullYear(); ; year++) {
    for (const month of [3, 6, 9, 12]) {
      const end = Date.UTC(year, month, 0);
      if (end > to) return ends;
      if (end >= from) ends.push(end);
    }
  }
}

/** The day itself on a weekday, else the Monday after. */
function weekday(day: number): number {
  const dow = new Date(day).getUTCDay();
  return dow === 6 ? day + 2 * MS_PER_DAY : dow === 0 ? day + MS_PER_DAY : day;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

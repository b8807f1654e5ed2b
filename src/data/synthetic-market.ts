/**
 * A seeded synthetic market for the offline demo and for tests: 12 instruments across asset
 * classes (symbols start with `SYN-`, names say "synthetic"), daily bars on a Monday-Friday
 * calendar, with regimes where momentum works and where it fails:
 *
 * Every asset drifts by its risk premium (equities ~5-8% a year, bonds 2-3%), plus by regime:
 * - `trend`:    each asset keeps a drift drawn at the regime start (annualised ~ N(0, 1.2 sigma)),
 *               so past winners keep winning: time-series and cross-sectional momentum earn.
 * - `choppy`:   prices mean-revert to their level at the regime start, grown by the premium
 *               (half-life ~ 2 months): trend signals arrive late and lose.
 * - `reversal`: a momentum crash: drift is minus twice the trailing 12-month return in excess of
 *               the premium, so winners fall and losers rebound (as in 2009).
 *
 * The total-return path is generated first; raw close = total return / (dividend factor x split
 * factor), so raw prices drop on quarterly ex-dividend dates and halve at SYN-TECH's 2:1 split,
 * while adj_close (anchored at the first bar: adj_close = close there) stays continuous.
 * Generation is sequential with a fixed number of draws a day, so the series is prefix-stable:
 * a later end date extends the same history (delta ingest works), the seed fixes everything.
 */
import { dateToTs, MS_PER_DAY, type AssetClass, type InstrumentInfo } from './bar.js';
import type { CandidateBar } from './providers/price-provider.js';
import { createRandom, type Random } from '../util/random.js';

export type RegimeKind = 'trend' | 'choppy' | 'reversal';

export interface Regime {
  readonly kind: RegimeKind;
  /** First and last bar dates (epoch ms, 00:00 UTC), inclusive. */
  readonly start: number;
  readonly end: number;
}

interface SyntheticSpec {
  readonly symbol: string;
  readonly name: string;
  readonly asset_class: AssetClass;
  /** Annualised volatility. */
  readonly sigma: number;
  /** Index of the common factor it loads on, and the loading (negative: moves against it). */
  readonly factor: number;
  readonly loading: number;
  /** Annual dividend yield paid quarterly (0: none). */
  readonly yield: number;
  /** Long-run annual drift of the total return (a risk premium), on top of the regime's drift. */
  readonly premium: number;
  readonly start: number;
  readonly decimals: number;
}

const FACTORS = { equity: 0, rates: 1, commodity: 2, dollar: 3 } as const;

export const SYNTHETIC_SPECS: readonly SyntheticSpec[] = [
  {
    symbol: 'SYN-EQ-US',
    name: 'Synthetic US equity index (not real data)',
    asset_class: 'equity',
    sigma: 0.18,
    factor: FACTORS.equity,
    loading: 0.8,
    yield: 0.018,
    premium: 0.06,
    start: 120,
    decimals: 2,
  },
  {
    symbol: 'SYN-EQ-EU',
    name: 'Synthetic European equity (not real data)',
    asset_class: 'equity',
    sigma: 0.2,
    factor: FACTORS.equity,
    loading: 0.7,
    yield: 0.03,
    premium: 0.05,
    start: 45,
    decimals: 2,
  },
  {
    symbol: 'SYN-EQ-EM',
    name: 'Synthetic emerging-market equity (not real data)',
    asset_class: 'equity',
    sigma: 0.26,
    factor: FACTORS.equity,
    loading: 0.6,
    yield: 0.022,
    premium: 0.06,
    start: 30,
    decimals: 2,
  },
  {
    symbol: 'SYN-EQ-JP',
    name: 'Synthetic Japanese equity (not real data)',
    asset_class: 'equity',
    sigma: 0.21,
    factor: FACTORS.equity,
    loading: 0.55,
    yield: 0.015,
    premium: 0.04,
    start: 60,
    decimals: 2,
  },
  {
    symbol: 'SYN-TECH',
    name: 'Synthetic technology stock, 2:1 split in 2010 (not real data)',
    asset_class: 'equity',
    sigma: 0.32,
    factor: FACTORS.equity,
    loading: 0.6,
    yield: 0,
    premium: 0.08,
    start: 80,
    decimals: 2,
  },
  {
    symbol: 'SYN-BOND-LONG',
    name: 'Synthetic long government bond (not real data)',
    asset_class: 'bond',
    sigma: 0.12,
    factor: FACTORS.rates,
    loading: 0.85,
    yield: 0.035,
    premium: 0.03,
    start: 100,
    decimals: 2,
  },
  {
    symbol: 'SYN-BOND-MID',
    name: 'Synthetic 7-10y government bond (not real data)',
    asset_class: 'bond',
    sigma: 0.065,
    factor: FACTORS.rates,
    loading: 0.85,
    yield: 0.028,
    premium: 0.025,
    start: 95,
    decimals: 2,
  },
  {
    symbol: 'SYN-BOND-SHORT',
    name: 'Synthetic 1-3y government bond, cash-like (not real data)',
    asset_class: 'bond',
    sigma: 0.015,
    factor: FACTORS.rates,
    loading: 0.5,
    yield: 0.02,
    premium: 0.02,
    start: 80,
    decimals: 2,
  },
  {
    symbol: 'SYN-GOLD',
    name: 'Synthetic gold (not real data)',
    asset_class: 'commodity',
    sigma: 0.16,
    factor: FACTORS.commodity,
    loading: 0.4,
    yield: 0,
    premium: 0.02,
    start: 40,
    decimals: 2,
  },
  {
    symbol: 'SYN-OIL',
    name: 'Synthetic crude oil (not real data)',
    asset_class: 'commodity',
    sigma: 0.34,
    factor: FACTORS.commodity,
    loading: 0.7,
    yield: 0,
    premium: 0.01,
    start: 25,
    decimals: 2,
  },
  {
    symbol: 'SYN-USD',
    name: 'Synthetic US dollar index (not real data)',
    asset_class: 'currency',
    sigma: 0.07,
    factor: FACTORS.dollar,
    loading: 0.9,
    yield: 0,
    premium: 0,
    start: 25,
    decimals: 4,
  },
  {
    symbol: 'SYN-EUR',
    name: 'Synthetic EUR/USD (not real data)',
    asset_class: 'currency',
    sigma: 0.08,
    factor: FACTORS.dollar,
    loading: -0.85,
    yield: 0,
    premium: 0,
    start: 1.1,
    decimals: 4,
  },
];

export const SYNTHETIC_SYMBOLS: readonly string[] = SYNTHETIC_SPECS.map((s) => s.symbol);
export const SYNTHETIC_START = '2000-01-03';
const TECH_SPLIT_DATE = dateToTs('2010-06-01');
const TRADING_DAYS = 252;

export function syntheticInstruments(): InstrumentInfo[] {
  return SYNTHETIC_SPECS.map((s) => ({
    symbol: s.symbol,
    name: s.name,
    asset_class: s.asset_class,
    currency: 'USD',
    exchange: 'SYNTHETIC',
    timezone: 'UTC',
  }));
}

export interface SyntheticMarket {
  readonly dates: readonly number[];
  readonly regimes: readonly Regime[];
  readonly bars: ReadonlyMap<string, readonly CandidateBar[]>;
}

export interface SyntheticOptions {
  readonly seed: number;
  /** Last date (inclusive, epoch ms); bars stop at the last weekday on or before it. */
  readonly end: number;
  /** First date, default 2000-01-03. */
  readonly start?: string;
}

/** Monday-Friday dates from `start` to `end` inclusive (epoch ms at 00:00 UTC). */
export function weekdays(start: number, end: number): number[] {
  const dates: number[] = [];
  for (let t = start; t <= end; t += MS_PER_DAY) {
    const day = new Date(t).getUTCDay();
    if (day !== 0 && day !== 6) dates.push(t);
  }
  return dates;
}

/** @example const market = generateSyntheticMarket({ seed: 42, end: Date.parse('2020-12-31') }) */
export function generateSyntheticMarket(options: SyntheticOptions): SyntheticMarket {
  const dates = weekdays(dateToTs(options.start ?? SYNTHETIC_START), options.end);
  const regimes = regimeSchedule(createRandom(options.seed ^ 0x5eed), dates);
  const noise = createRandom(options.seed);
  const drifts = createRandom(options.seed ^ 0xd41f7);
  const n = SYNTHETIC_SPECS.length;
  const logTr = SYNTHETIC_SPECS.map((s) => Math.log(s.start));
  const history = SYNTHETIC_SPECS.map(() => [] as number[]);
  const out = SYNTHETIC_SPECS.map(() => [] as CandidateBar[]);
  const dividendFactor = new Array<number>(n).fill(1);
  let drift = new Array<number>(n).fill(0);
  let anchor = logTr.slice();
  let regimeIndex = -1;
  const dt = 1 / TRADING_DAYS;

  for (let d = 0; d < dates.length; d++) {
    const date = dates[d]!;
    while (regimeIndex + 1 < regimes.length && regimes[regimeIndex + 1]!.start <= date) {
      regimeIndex++;
      drift = SYNTHETIC_SPECS.map((s) => drifts.normal() * 1.2 * s.sigma);
      anchor = logTr.slice();
    }
    const regime = regimes[regimeIndex]!.kind;
    // The level a choppy market reverts to grows with the premium, so reversion cancels the trend, not the premium.
    for (let i = 0; i < n; i++) anchor[i] = anchor[i]! + SYNTHETIC_SPECS[i]!.premium * dt;
    const factors = [noise.normal(), noise.normal(), noise.normal(), noise.normal()];
    for (let i = 0; i < n; i++) {
      const spec = SYNTHETIC_SPECS[i]!;
      const z = spec.loading * factors[spec.factor]! + Math.sqrt(1 - spec.loading ** 2) * noise.normal();
      const gapShare = noise.normal() * 0.3;
      const wickUp = Math.abs(noise.normal());
      const wickDown = Math.abs(noise.normal());
      const volumeNoise = noise.normal();
      const past = history[i]!;
      const mu =
        spec.premium +
        (regime === 'trend'
          ? drift[i]!
          : regime === 'choppy'
            ? (-(logTr[i]! - anchor[i]!) * Math.LN2) / (42 * dt)
            : -2 * (past.length >= TRADING_DAYS ? logTr[i]! - past[past.length - TRADING_DAYS]! - spec.premium : 0));
      const sigmaDay = spec.sigma * Math.sqrt(dt);
      const previousLogTr = logTr[i]!;
      logTr[i] = previousLogTr + (mu - 0.5 * spec.sigma ** 2) * dt + sigmaDay * z;
      past.push(logTr[i]!);

      // Quarterly ex-dividend dates: the raw price drops by the dividend, adj_close does not.
      if (spec.yield > 0 && d > 0 && d % 63 === 0) dividendFactor[i] = dividendFactor[i]! * (1 + spec.yield / 4);
      const split = spec.symbol === 'SYN-TECH' && date >= TECH_SPLIT_DATE ? 2 : 1;
      const rawScale = 1 / (dividendFactor[i]! * split);
      const round = (x: number) => roundTo(x, spec.decimals);
      const totalOpen = Math.exp(previousLogTr + (logTr[i]! - previousLogTr) * 0.3 + gapShare * sigmaDay);
      const totalClose = Math.exp(logTr[i]!);
      const open = round(totalOpen * rawScale);
      const close = round(totalClose * rawScale);
      const high = round(Math.max(open, close) * Math.exp(0.5 * sigmaDay * wickUp));
      const low = round(Math.min(open, close) * Math.exp(-0.5 * sigmaDay * wickDown));
      out[i]!.push({
        ts: date,
        open,
        high: Math.max(high, open, close),
        low: Math.min(low, open, close),
        close,
        adj_close: roundTo(close * dividendFactor[i]! * split, 6),
        volume: Math.round(1_000_000 * split * Math.exp(0.4 * volumeNoise)),
      });
    }
  }
  return { dates, regimes, bars: new Map(SYNTHETIC_SPECS.map((s, i) => [s.symbol, out[i]!])) };
}

/** Alternating regimes: trend (6-18 months), then choppy (3-9 months) or, one time in four, a reversal (1-3 months). */
function regimeSchedule(random: Random, dates: readonly number[]): Regime[] {
  const regimes: Regime[] = [];
  let i = 0;
  let kind: RegimeKind = 'trend';
  while (i < dates.length) {
    const length = kind === 'trend' ? random.integer(126, 378) : kind === 'choppy' ? random.integer(63, 189) : random.integer(21, 63);
    const last = Math.min(dates.length - 1, i + length - 1);
    regimes.push({ kind, start: dates[i]!, end: dates[last]! });
    i = last + 1;
    kind = kind === 'trend' ? (random.next() < 0.25 ? 'reversal' : 'choppy') : 'trend';
  }
  return regimes;
}

function roundTo(x: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(x * scale) / scale;
}

/**
 * What the strategy tests share: small hand-made panels (dates from Monday 2024-01-01, one column
 * per symbol and field), seeded random walks, reading target grids, and the no-look-ahead check.
 */
import { expect } from 'vitest';
import { MS_PER_DAY, type AssetClass, type Interval } from '../../src/data/bar.js';
import type { PanelField } from '../../src/data/panel.js';
import { ValidationError } from '../../src/errors.js';
import type { Strategy, StrategyPanel, StrategyParams } from '../../src/strategies/strategy.js';
import type { Random } from '../../src/util/random.js';

/** Monday 2024-01-01, 00:00 UTC: the first bar of every test panel. */
export const START = Date.UTC(2024, 0, 1);

/** `count` consecutive calendar days from `start`; from START, 31 January is row 30 and 29 February row 59. */
export function dailyDates(count: number, start = START): Float64Array {
  return Float64Array.from({ length: count }, (_, t) => start + t * MS_PER_DAY);
}

/** The first `count` weekdays from `start`; from START, 31 January is row 22 and 29 February row 43. */
export function weekdayDates(count: number, start = START): Float64Array {
  const dates: number[] = [];
  for (let ts = start; dates.length < count; ts += MS_PER_DAY) if (![0, 6].includes(new Date(ts).getUTCDay())) dates.push(ts);
  return Float64Array.from(dates);
}

/** One value per bar for each symbol; NaN: no bar. */
export type Series = Readonly<Record<string, readonly number[]>>;

export interface PanelOptions {
  /** The bar dates for a number of bars (default: dailyDates, weekends included). */
  readonly dates?: (count: number) => Float64Array;
  readonly interval?: Interval;
  /** Asset class by symbol, 'equity' for a symbol not named; without it the panel has none. */
  readonly assetClasses?: Readonly<Record<string, AssetClass>>;
}

/**
 * A panel from series per field; the symbols are the first field's, in its order.
 * @example panelOf({ adj_close: { AAA: [10, 11], BBB: [20, NaN] }, adj_high: { ... } }, { dates: weekdayDates })
 */
export function panelOf(fields: { readonly [K in PanelField]?: Series }, options: PanelOptions = {}): StrategyPanel {
  const entries = Object.entries(fields);
  const symbols = Object.keys(entries[0]![1]);
  const columns = entries.map(([field, series]) => [field, symbols.map((s) => Float64Array.from(series[s]!))] as const);
  const { dates = dailyDates, interval = '1d', assetClasses: classes } = options;
  const assetClasses = classes && symbols.map((s) => classes[s] ?? 'equity');
  const bars = columns[0]![1][0]!.length;
  return { interval, symbols, dates: dates(bars), values: Object.fromEntries(columns), ...(assetClasses && { assetClasses }) };
}

/** A panel of adjusted closes only. @example closesPanel({ SPY: [100, 101], AGG: [50, 50] }) */
export function closesPanel(closes: Series, options?: PanelOptions): StrategyPanel {
  return panelOf({ adj_close: closes }, options);
}

/**
 * A seeded random walk from 100, NaN before row `from`: each bar from `from` on multiplies the
 * price by 1 + step(u), u uniform in [0, 1) from `random`.
 * @example randomWalk(createRandom(7), 90, 20, (u) => (u - 0.48) * 0.04) // from row 20, drifting up
 */
export function randomWalk(random: Random, bars: number, from = 0, step = (u: number) => (u - 0.5) * 0.04): number[] {
  let price = 100;
  return Array.from({ length: bars }, (_, t) => (t < from ? Number.NaN : (price *= 1 + step(random.next()))));
}

/** Row t of a T x N grid. */
export function row(grid: Float64Array, t: number, n: number): number[] {
  return Array.from(grid.subarray(t * n, (t + 1) * n));
}

/** The rows a rebalance mask sets. */
export function setRows(mask: Uint8Array): number[] {
  return [...mask.keys()].filter((t) => mask[t] === 1);
}

/** What `run` throws; undefined when it returns. */
export function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** The field a ValidationError thrown by `run` names; undefined when it returns. Any other error is rethrown. */
export function validationField(run: () => unknown): string | undefined {
  const error = thrown(run);
  if (error === undefined || error instanceof ValidationError) return error?.field;
  throw error;
}

/**
 * Expects `strategy` never to look ahead: for every bar t but the last, scaling every bar after t
 * by a random factor in [0.5, 1.5) (the same for all fields of a symbol at a bar; drawn symbol by
 * symbol, bar by bar) leaves the targets, the scores and the rebalance flags at bars <= t as they
 * were (by Object.is: NaN equals NaN, -0 differs from 0). Also expects the panel not to be mutated.
 */
export function expectNoLookAhead<P extends StrategyParams>(strategy: Strategy<P>, panel: StrategyPanel, params: P, random: Random): void {
  const before = structuredClone(panel.values);
  const base = strategy.targets(panel, params);
  expect(panel.values).toEqual(before);
  const bars = panel.dates.length;
  const n = panel.symbols.length;
  for (let t = 0; t + 1 < bars; t++) {
    const factors = panel.symbols.map(() => Float64Array.from({ length: bars }, (_, s) => (s > t ? 0.5 + random.next() : 1)));
    const values = Object.fromEntries(
      Object.entries(panel.values).map(([field, columns]) => [
        field,
        columns.map((x, j) => x.map((v, s) => (s > t ? v * factors[j]![s]! : v))),
      ]),
    );
    const other = strategy.targets({ ...panel, values }, params);
    expect(differences(other.targets, base.targets, (t + 1) * n), `targets at bars <= ${t}`).toEqual([]);
    expect(differences(other.scores ?? [], base.scores ?? [], (t + 1) * n), `scores at bars <= ${t}`).toEqual([]);
    expect(differences(other.rebalance, base.rebalance, t + 1), `rebalance flags at bars <= ${t}`).toEqual([]);
  }
}

/** Indices among the first `count` where a and b differ, by Object.is. */
function differences(a: ArrayLike<number>, b: ArrayLike<number>, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) if (!Object.is(a[i], b[i])) out.push(i);
  return out;
}

/**
 * The top quantile written plainly, for checking strategies: 1/k on the first k = max(1,
 * floor(len x pct / 100)) of `ranked` (symbol indexes, best first), 0 on the other of `n` symbols.
 */
export function topQuantileWeights(n: number, ranked: readonly number[], pct: number): number[] {
  const k = Math.max(1, Math.floor((ranked.length * pct) / 100));
  const weights = Array<number>(n).fill(0);
  for (const j of ranked.slice(0, k)) weights[j] = 1 / k;
  return weights;
}

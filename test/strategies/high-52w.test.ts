import { describe, expect, it } from 'vitest';
import { MS_PER_DAY } from '../../src/data/bar.js';
import { ValidationError } from '../../src/errors.js';
import { high52w, type High52wParams } from '../../src/strategies/high-52w.js';
import { resolveParams, type StrategyPanel } from '../../src/strategies/strategy.js';
import { xsMomentum } from '../../src/strategies/xs-momentum.js';

/** Weekdays from Monday 2024-01-01, 00:00 UTC: bar 22 is Wednesday 31 January, the month's last. */
function weekdays(count: number): Float64Array {
  const dates: number[] = [];
  for (let ts = Date.UTC(2024, 0, 1); dates.length < count; ts += MS_PER_DAY)
    if (![0, 6].includes(new Date(ts).getUTCDay())) dates.push(ts);
  return Float64Array.from(dates);
}

/** Adjusted closes per symbol; NaN: no bar. */
function panelOf(closes: Record<string, readonly number[]>): StrategyPanel {
  const columns = Object.values(closes).map((series) => Float64Array.from(series));
  return { interval: '1d', symbols: Object.keys(closes), dates: weekdays(columns[0]!.length), values: { adj_close: columns } };
}

const params = (raw: Record<string, unknown>): High52wParams => resolveParams(high52w, '1d', raw);
const row = (grid: Float64Array, t: number, n: number) => Array.from(grid.subarray(t * n, t * n + n));
const setRows = (mask: Uint8Array) => [...mask.keys()].filter((t) => mask[t] === 1);

/** 30 bars: 18 bars at 10, then `path` over bars 18..22, then flat at its last value. */
const shaped = (path: readonly number[]): number[] => [...Array<number>(18).fill(10), ...path, ...Array<number>(7).fill(path.at(-1)!)];

// With window 5, the score at bar 22 is close / max(closes of bars 18..22):
//   AAA 14 / 14 = 1, BBB 18 / 20 = 0.9, CCC 8 / 10 = 0.8, DDD 10.5 / 15 = 0.7.
// The return over the same 5 bars ranks them differently: BBB +80%, AAA +40%, DDD +5%, CCC -20%.
// EEE starts at bar 20 (no full window at bar 22), FFF at bar 25 (no bar at 22).
const panel = panelOf({
  AAA: shaped([10, 11, 12, 13, 14]),
  BBB: shaped([10, 20, 20, 20, 18]),
  CCC: shaped([10, 10, 10, 10, 8]),
  DDD: shaped([10, 15, 12, 12, 10.5]),
  EEE: [...Array<number>(20).fill(NaN), 10, 30, ...Array<number>(8).fill(40)],
  FFF: [...Array<number>(25).fill(NaN), ...Array<number>(5).fill(50)],
});

describe('52w-high', () => {
  it('defaults to a one-year window, the top 30%, month-end rebalances', () => {
    expect(resolveParams(high52w, '1d', {})).toEqual({
      window: 252,
      topPct: 30,
      targetScale: 1,
      longShort: false,
      rebalance: 'month-end',
      every: 21,
    });
    expect(resolveParams(high52w, '1wk', {})).toMatchObject({ window: 52, topPct: 30 });
  });

  it.each([
    [{ windw: 20 }, 'params', /windw/],
    [{ window: 1 }, 'params.window', /2/],
    [{ window: 2.5 }, 'params.window', /int/],
    [{ topPct: 0 }, 'params.topPct', /0/],
    [{ topPct: 101 }, 'params.topPct', /100/],
    [{ targetScale: 0 }, 'params.targetScale', /0/],
  ])('rejects %j naming %s', (raw, field, message) => {
    const error = thrown(() => params(raw));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe(field);
    expect((error as ValidationError).message).toMatch(message);
  });

  it('holds the names nearest their high at month-end; a symbol without a score is not held, one without a bar is left alone', () => {
    // Ranked: AAA, BBB, CCC, DDD (EEE, FFF have no score): k = floor(4 x 40%) = 1.
    const schedule = high52w.targets(panel, params({ window: 5, topPct: 40 }));
    expect(setRows(schedule.rebalance)).toEqual([22]);
    expect(row(schedule.targets, 22, 6)).toEqual([1, 0, 0, 0, 0, NaN]);
    expect(row(schedule.scores!, 22, 6)).toEqual([1, 0.9, 0.8, 0.7, NaN, NaN]);
    expect(row(schedule.targets, 21, 6)).toEqual(Array<number>(6).fill(NaN));
  });

  it('picks the name nearest its high, not the one with the best past return', () => {
    const nearHigh = high52w.targets(panel, params({ window: 5, topPct: 25 }));
    const pastReturn = xsMomentum.targets(panel, resolveParams(xsMomentum, '1d', { lookback: 5, skip: 0, topPct: 25 }));
    expect(row(nearHigh.targets, 22, 6).slice(0, 2)).toEqual([1, 0]); // AAA, 14 / 14
    expect(row(pastReturn.targets, 22, 6).slice(0, 2)).toEqual([0, 1]); // BBB, 18 / 10 - 1
  });

  it('with longShort shorts the names furthest from their high; targetScale scales both legs', () => {
    const schedule = high52w.targets(panel, params({ window: 5, topPct: 25, longShort: true, targetScale: 0.5 }));
    expect(row(schedule.targets, 22, 6)).toEqual([0.5, 0, 0, -0.5, 0, NaN]);
  });

  it('rebalances every N bars when asked, ranking a late symbol once it has a full window', () => {
    const schedule = high52w.targets(panel, params({ window: 5, topPct: 40, rebalance: 'every', every: 5 }));
    expect(setRows(schedule.rebalance)).toEqual([0, 5, 10, 15, 20, 25]);
    expect(row(schedule.targets, 0, 6)).toEqual(Array<number>(6).fill(NaN)); // nothing to rank yet
    // Bar 25, closes of bars 21..25: AAA 14 / 14 = 1, EEE 40 / 40 = 1 (tie, by name), BBB 0.9,
    // DDD 10.5 / 12 = 0.875, CCC 0.8; five ranked, k = 2. FFF has a bar but no score.
    expect(row(schedule.targets, 25, 6)).toEqual([0.5, 0, 0, 0, 0.5, 0]);
  });

  it('never looks ahead: changing every bar after t leaves targets and scores at or before t unchanged', () => {
    const random = mulberry32(52);
    const walk = (start: number) => {
      let close = 100;
      return Array.from({ length: 90 }, (_, t) => {
        close *= 1 + (random() - 0.5) * 0.06;
        return t < start ? NaN : close;
      });
    };
    const noisy = panelOf({ AAA: walk(0), BBB: walk(0), CCC: walk(15), DDD: walk(0), EEE: walk(40), FFF: walk(0) });
    for (const raw of [{ window: 20, topPct: 30, longShort: true, rebalance: 'daily' }, { window: 10 }]) {
      const p = params(raw);
      const before = structuredClone(noisy.values);
      const base = high52w.targets(noisy, p);
      expect(noisy.values).toEqual(before);
      for (let t = 0; t < 89; t++) {
        const closes = noisy.values.adj_close!.map((x) => x.map((v, s) => (s > t ? v * (0.5 + random()) : v)));
        const other = high52w.targets({ ...noisy, values: { adj_close: closes } }, p);
        const upTo = (t + 1) * noisy.symbols.length;
        expect(samePrefix(base.targets, other.targets, upTo)).toBe(true);
        expect(samePrefix(base.scores!, other.scores!, upTo)).toBe(true);
        expect(samePrefix(base.rebalance, other.rebalance, t + 1)).toBe(true);
      }
    }
  });
});

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

function samePrefix(a: ArrayLike<number>, b: ArrayLike<number>, length: number): boolean {
  for (let i = 0; i < length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** Deterministic uniform [0, 1) generator for the perturbation test. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

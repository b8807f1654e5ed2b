/**
 * earnings-momentum on a hand-built case: four names, announcements placed at chosen bars, checked
 * against SUE and the holding rule written out plainly here.
 */
import { describe, expect, it } from 'vitest';
import type { Placed } from '../../src/data/strategy-data.js';
import type { EarningsEvent } from '../../src/data/qualitative.js';
import { earningsMomentum, type EarningsMomentumParams } from '../../src/strategies/earnings-momentum.js';
import { resolveParams, type StrategyPanel } from '../../src/strategies/strategy.js';
import { panelOf, row, setRows, topQuantileWeights, weekdayDates } from '../helpers/strategy-panel.js';
import { expectValidationError } from '../helpers/validation-error.js';

const BARS = 40;
const BASE: Record<string, number> = { AAA: 50, BBB: 100, CCC: 20, DDD: 80 };
const SYMBOLS = Object.keys(BASE);
const closes = Object.fromEntries(SYMBOLS.map((s) => [s, Array.from({ length: BARS }, (_, t) => BASE[s]! * (1 + 0.01 * t))]));

/** [symbol, first bar that sees it, reported EPS, expected EPS] */
const ANNOUNCEMENTS: [string, number, number | null, number | null][] = [
  ['AAA', 3, 1.2, 1.0],
  ['AAA', 22, 0.9, 1.0], // a miss: AAA's beat no longer counts from bar 22 (it had expired anyway)
  ['BBB', 6, 2.5, 2.0],
  ['CCC', 12, 0.6, 0.4], // the largest surprise per unit of price
  ['DDD', 0, 1.0, 0.5], // no bar before it: no price to scale by, skipped
  ['DDD', 14, null, 0.9], // not reported yet: skipped
  ['DDD', 25, 1.0, 0.8],
  ['DDD', 30, 1.1, null], // no estimate: skipped, the bar-25 surprise still counts
];

function panel(): StrategyPanel {
  const base = panelOf({ adj_close: closes, close: closes }, { dates: weekdayDates });
  const earnings = SYMBOLS.map((symbol) =>
    ANNOUNCEMENTS.filter(([s]) => s === symbol).map(([, firstBar, epsActual, epsEstimate]): Placed<EarningsEvent> => ({
      symbol,
      periodEnd: '2023-12-31',
      epsActual,
      epsEstimate,
      knownAt: base.dates[firstBar]! - 3_600_000,
      knownRule: 'reported',
      source: 'test',
      firstBar,
    })),
  );
  return { ...base, earnings };
}

const params = (raw: Record<string, unknown>): EarningsMomentumParams => resolveParams(earningsMomentum, '1d', raw);
const P = params({ holdBars: 10, topPct: 50, rebalance: 'every', every: 5 });

/** Plainly: each name's latest usable announcement seen at t, its SUE, held while fresh and positive; the top half. */
function expectedWeights(t: number): number[] {
  const candidates: { j: number; sue: number }[] = [];
  SYMBOLS.forEach((symbol, j) => {
    const usable = ANNOUNCEMENTS.filter(([s, bar, a, e]) => s === symbol && bar <= t && bar > 0 && a !== null && e !== null);
    const latest = usable.at(-1);
    if (!latest) return;
    const [, bar, actual, estimate] = latest;
    const sue = (actual! - estimate!) / closes[symbol]![bar - 1]!;
    if (t - bar < 10 && sue > 0) candidates.push({ j, sue });
  });
  candidates.sort((a, b) => b.sue - a.sue);
  return topQuantileWeights(
    SYMBOLS.length,
    candidates.map(({ j }) => j),
    50,
  );
}

describe('earnings-momentum', () => {
  it('declares the earnings it reads; defaults to a quarter of drift, the top 30%, weekly rebalances', () => {
    expect(earningsMomentum.data).toEqual({ earnings: true });
    expect(params({})).toMatchObject({ holdBars: 63, topPct: 30, rebalance: 'every', every: 5 });
    expectValidationError(() => params({ holdBars: 0 }), 'params.holdBars', /1/);
  });

  it('holds the names with the largest fresh positive SUE, as computed plainly, and cash when there is none', () => {
    const schedule = earningsMomentum.targets(panel(), P);
    expect(setRows(schedule.rebalance)).toEqual([0, 5, 10, 15, 20, 25, 30, 35]);
    for (let t = 0; t < BARS; t += 5) expect(row(schedule.targets, t, 4), `bar ${t}`).toEqual(expectedWeights(t));
    // By hand: AAA from bar 3; BBB's larger SUE at 10; CCC's at 15 and 20; DDD's at 25 and 30; none fresh at 35.
    expect([5, 10, 15, 20, 25, 30, 35].map((t) => row(schedule.targets, t, 4).indexOf(1))).toEqual([0, 1, 2, 2, 3, 3, -1]);
    expect(row(schedule.targets, 35, 4)).toEqual([0, 0, 0, 0]);
    expect(row(schedule.scores!, 12, 4)[2]).toBeCloseTo((0.6 - 0.4) / (20 * 1.11), 12);
  });
});

import { describe, expect, it } from 'vitest';
import { dateToTs } from '../../src/data/bar.js';
import { portfolioPath, type MonitoredRebalance, type PriceTable } from '../../src/monitor/value-path.js';
import { weightDrift } from '../../src/monitor/weight-drift.js';
import { runningDrawdown } from '../../src/monitor/running-peak.js';

const day = (d: string) => dateToTs(d);
const dates = (...days: string[]) => Float64Array.from(days.map(day));
const iso = (ts: Float64Array) => Array.from(ts, (t) => new Date(t).toISOString().slice(0, 10));

/** A, B from Monday 2024-01-01; B has no bar on the 4th. */
const prices: PriceTable = {
  dates: dates('2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05'),
  symbols: ['A', 'B'],
  close: [Float64Array.of(20, 22, 18, 21, 19), Float64Array.of(40, 38, 39, Number.NaN, 44)],
};

const single: MonitoredRebalance[] = [
  {
    id: 7,
    asOf: '2024-01-01',
    cash: 100,
    holdings: [
      { symbol: 'A', shares: 10, price: 20, targetWeight: 0.4, weight: 0.4 },
      { symbol: 'B', shares: 5, price: 40, targetWeight: 0.4, weight: 0.4 },
    ],
  },
];

describe('portfolioPath: one rebalance', () => {
  const path = portfolioPath(single, prices, { asOf: '2024-01-05' });

  it('values cash plus shares at each later close, the last close carried over a missing bar', () => {
    expect(iso(path.ts)).toEqual(['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05']);
    // 100 + 10 A + 5 B: the bar on the rebalance date is what the shares were bought at, not a new mark
    expect([...path.value]).toEqual([500, 100 + 220 + 190, 100 + 180 + 195, 100 + 210 + 195, 100 + 190 + 220]);
    expect([...path.index].map((x) => +x.toFixed(12))).toEqual([1, 1.02, 0.95, 1.01, 1.02]);
  });

  it('measures drawdown from the running peak of the index', () => {
    expect(path.drawdown[0]).toBe(0);
    expect(path.drawdown[1]).toBe(0);
    expect(path.drawdown[2]).toBeCloseTo((475 - 510) / 510, 12);
    expect(path.drawdown[3]).toBeCloseTo((505 - 510) / 510, 12);
    expect(path.drawdown[4]).toBe(0);
    // the peak of the 3rd and 4th points is the 2nd; an equal high moves it to the 5th
    expect([...path.peakPoint]).toEqual([0, 1, 1, 1, 4]);
  });

  it('follows each position from its entry price, drawdown from its own peak', () => {
    const a = path.positions.find((p) => p.symbol === 'A')!;
    expect([...a.level]).toEqual([20, 22, 18, 21, 19]);
    expect([...a.drawdown]).toEqual([0, 0, -4 / 22, -1 / 22, -3 / 22]);
    const b = path.positions.find((p) => p.symbol === 'B')!;
    expect([...b.level]).toEqual([40, 38, 39, 39, 44]);
    expect([...b.drawdown]).toEqual([0, -0.05, -0.025, -0.025, 0]);
    expect(b.exitTs).toBeNull();
  });

  it('marks the latest holdings at the last point, naming the bar used', () => {
    expect(path.marks.map((m) => [m.holding.symbol, m.price, m.value, m.barTs])).toEqual([
      ['A', 19, 190, day('2024-01-05')],
      ['B', 44, 220, day('2024-01-05')],
    ]);
  });

  it('ignores bars after the as-of date', () => {
    const earlier = portfolioPath(single, prices, { asOf: '2024-01-03' });
    expect(iso(earlier.ts)).toEqual(['2024-01-01', '2024-01-02', '2024-01-03']);
    expect(earlier.value[2]).toBe(475);
  });

  it('keeps a symbol without any bar at its rebalance price', () => {
    const path2 = portfolioPath(single, { ...prices, symbols: ['A', 'X'] }, { asOf: '2024-01-05' });
    const b = path2.marks.find((m) => m.holding.symbol === 'B')!;
    expect(b.price).toBe(40);
    expect(b.barTs).toBeNull();
    expect(path2.value[4]).toBe(100 + 190 + 200);
  });

  it('does not mutate its inputs', () => {
    const before = JSON.stringify(single);
    const closes = Array.from(prices.close[0]!);
    portfolioPath(single, prices, { asOf: '2024-01-05' });
    expect(JSON.stringify(single)).toBe(before);
    expect(Array.from(prices.close[0]!)).toEqual(closes);
  });
});

describe('portfolioPath: chained rebalances', () => {
  // R2 on the 3rd adds 100 of new money, sells B, buys C: 520 (old holdings at the 3rd's closes) + 100 = 620.
  const chained: MonitoredRebalance[] = [
    single[0]!,
    {
      id: 8,
      asOf: '2024-01-03',
      cash: 2,
      holdings: [
        { symbol: 'A', shares: 12, price: 24, targetWeight: 0.45, weight: 288 / 620 },
        { symbol: 'C', shares: 30, price: 11, targetWeight: 0.55, weight: 330 / 620 },
      ],
    },
  ];
  const table: PriceTable = {
    dates: dates('2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05'),
    symbols: ['A', 'B', 'C'],
    close: [Float64Array.of(20, 22, 24, 23, 25), Float64Array.of(40, 38, 36, 35, 30), Float64Array.of(10, 10, 11, 12, 9)],
  };
  const path = portfolioPath(chained, table, { asOf: '2024-01-05' });

  it('chains the index through the rebalance, new money no gain', () => {
    expect(iso(path.ts)).toEqual(['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05']);
    // the 3rd: the old holdings' close gives the index (520 / 500), the new rebalance the value
    expect([...path.value]).toEqual([500, 510, 620, 2 + 12 * 23 + 30 * 12, 2 + 12 * 25 + 30 * 9]);
    const i3 = 520 / 500;
    expect(path.index[2]).toBeCloseTo(i3, 12);
    expect(path.index[3]).toBeCloseTo((i3 * 638) / 620, 12);
    expect(path.index[4]).toBeCloseTo((i3 * 572) / 620, 12);
    expect(path.drawdown[4]).toBeCloseTo(572 / 638 - 1, 12);
    expect([...path.rebalance]).toEqual([0, 0, 1, 1, 1]);
    expect([...path.observedRebalance]).toEqual([0, 0, 0, 1, 1]);
  });

  it('ends the sold position at the rebalance and starts the bought one there', () => {
    const [a, b, c] = ['A', 'B', 'C'].map((s) => path.positions.find((p) => p.symbol === s)!);
    expect([...b!.level]).toEqual([40, 38, 36]);
    expect(b!.exitTs).toBe(day('2024-01-03'));
    expect(b!.exitRebalanceId).toBe(8);
    expect(b!.endPoint).toBe(2);
    // A is kept: its level runs on through the rebalance
    expect([...a!.level]).toEqual([20, 22, 24, 23, 25]);
    expect(a!.exitTs).toBeNull();
    expect(c!.entryPoint).toBe(2);
    expect([...c!.level]).toEqual([11, 12, 9]);
    expect(c!.drawdown[2]).toBe(-0.25);
  });

  it('puts a rebalance on a date without a bar on its own point', () => {
    const gap: PriceTable = { ...table, dates: dates('2024-01-01', '2024-01-02', '2024-01-04', '2024-01-05', '2024-01-08') };
    const p = portfolioPath(chained, gap, { asOf: '2024-01-08' });
    expect(iso(p.ts)).toEqual(['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-08']);
    expect(p.value[2]).toBe(620);
    expect(p.index[2]).toBe(p.index[1]);
    const b = p.positions.find((x) => x.symbol === 'B')!;
    expect(b.endPoint).toBe(1);
    expect(b.exitTs).toBe(day('2024-01-03'));
  });
});

describe('portfolioPath: price basis', () => {
  // A splits 2:1 before the 4th: raw closes halve, adjusted closes do not.
  const split: PriceTable = {
    dates: dates('2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05'),
    symbols: ['A'],
    close: [Float64Array.of(20, 22, 24, 11.5, 12.5)],
    adjClose: [Float64Array.of(10, 11, 12, 11.5, 12.5)],
  };
  const rebalance: MonitoredRebalance[] = [
    { id: 1, asOf: '2024-01-01', cash: 100, holdings: [{ symbol: 'A', shares: 10, price: 20, targetWeight: 0.6, weight: 2 / 3 }] },
  ];

  const splitEvent = [{ symbol: 'A', exDate: '2024-01-04', kind: 'split' as const, value: 2, source: 'csv' }];

  it('without the event a split looks like a loss: shares times raw close', () => {
    const path = portfolioPath(rebalance, split, { asOf: '2024-01-05' });
    expect(path.value[3]).toBe(100 + 115);
  });

  it('with the event the ledger doubles the shares on the ex-date: money value, no loss', () => {
    const path = portfolioPath(rebalance, split, { asOf: '2024-01-05', actions: splitEvent });
    expect([...path.value]).toEqual([300, 320, 340, 330, 350]);
    expect(path.marks[0]!.shares).toBe(20);
    expect(path.ledger).toEqual([expect.objectContaining({ rebalanceId: 1, symbol: 'A', sharesBefore: 10, sharesAfter: 20, cash: 0 })]);
    // basis close: the position's level is its price per share held at entry (11.5 x 2)
    expect(path.positions[0]!.level[3]).toBe(23);
    expect(Math.min(...path.drawdown)).toBeCloseTo(-10 / 340, 12);
  });

  it('total-return: the level is the raw close scaled by the adjustment factor since the rebalance; the value is still money', () => {
    const path = portfolioPath(rebalance, split, { asOf: '2024-01-05', basis: 'total-return', actions: splitEvent });
    // factor 0.5 at the rebalance bar, 1 after the split: 11.5 x 1 / 0.5 = 23
    expect([...path.value]).toEqual([300, 320, 340, 330, 350]);
    expect(path.positions[0]!.level[3]).toBe(23);
  });
});

describe('weightDrift', () => {
  it('compares held weights with targets, cash included, half the absolute sum in total', () => {
    const drift = weightDrift(
      single[0]!.holdings,
      new Map([
        ['A', 190],
        ['B', 220],
      ]),
      100,
    );
    const v = 510;
    expect(drift.positions.map((r) => r.weight)).toEqual([190 / v, 220 / v]);
    expect(drift.positions[0]!.drift).toBeCloseTo(190 / v - 0.4, 15);
    expect(drift.cash.targetWeight).toBeCloseTo(0.2, 15);
    expect(drift.cash.weight).toBe(100 / v);
    expect(drift.total).toBeCloseTo((Math.abs(190 / v - 0.4) + Math.abs(220 / v - 0.4) + Math.abs(100 / v - 0.2)) / 2, 15);
  });

  it('is 0 on target and counts an unbought target as drift', () => {
    expect(
      weightDrift(
        single[0]!.holdings,
        new Map([
          ['A', 200],
          ['B', 200],
        ]),
        100,
      ).total,
    ).toBeCloseTo(0, 15);
    const unbought = weightDrift([{ symbol: 'A', shares: 0, price: 20, targetWeight: 0.5, weight: 0 }], new Map(), 100);
    expect(unbought.total).toBe(0.5);
  });
});

describe('runningDrawdown', () => {
  it('keeps round numbers exact', () => {
    expect([...runningDrawdown([100, 97.5, 110, 99]).drawdown]).toEqual([0, -0.025, 0, -0.1]);
  });
});

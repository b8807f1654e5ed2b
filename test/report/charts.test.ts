import { describe, expect, it } from 'vitest';
import {
  drawdownFromEquity,
  equityDrawdownPng,
  equityDrawdownSvg,
  weightBarCount,
  weightsChartHeight,
  weightsChartPng,
  weightsChartSvg,
  sinceStartPng,
  sinceStartSvg,
} from '../../src/report/charts.js';
import { ValidationError } from '../../src/errors.js';
import { equityPath } from './report-fixtures.js';
import { pngInfo } from './png-info.js';

const bars = [
  { symbol: 'SPY', previous: 0.25, weight: 0.3 },
  { symbol: 'TLT', previous: 0.3, weight: 0 },
  { symbol: 'GLD', previous: 0, weight: 0.25 },
  { symbol: 'XLE', previous: 0, weight: 0 },
];

describe('equity and drawdown chart: in and out of sample', () => {
  it('shades and labels the out-of-sample part when the series has one, and only then', () => {
    const { dates, equity } = equityPath(300);
    const marked = equityDrawdownSvg({ dates, equity, outOfSampleFrom: dates[200]! }, { width: 600, height: 340 });
    expect(marked).toContain('in sample');
    expect(marked).toContain('out of sample');
    const plain = equityDrawdownSvg({ dates, equity, outOfSampleFrom: null }, { width: 600, height: 340 });
    expect(plain).not.toContain('out of sample');
    // A split date outside the series marks nothing.
    expect(equityDrawdownSvg({ dates, equity, outOfSampleFrom: '1990-01-01' }, { width: 600, height: 340 })).not.toContain('in sample');
  });
});

describe('since you started chart', () => {
  const dates = ['2024-01-31', '2024-02-29', '2024-03-28'];
  it('draws your money, the benchmark with the same money and what went in, with a legend', () => {
    const svg = sinceStartSvg(
      {
        dates,
        value: [25_000, 26_100, 25_800],
        invested: [25_000, 25_000, 25_000],
        benchmark: { symbol: 'SPY', value: [25_000, 25_600, null] },
      },
      { width: 592, height: 300 },
    );
    expect(svg).toContain('Your portfolio since you started');
    expect(svg).toContain('your portfolio');
    expect(svg).toContain('SPY, the same money');
    expect(svg).toContain('money put in');
    const png = sinceStartPng(
      { dates, value: [1, 2, 3], invested: [1, 1, 1], benchmark: null },
      { width: 300, height: 200, pixelRatio: 2 },
    );
    expect(pngInfo(png)).toMatchObject({ width: 600, height: 400 });
  });
});

describe('equity and drawdown chart', () => {
  it('is a PNG of the requested size times the pixel ratio, with real content', () => {
    const { dates, equity } = equityPath(500);
    const png = equityDrawdownPng({ dates, equity }, { width: 592, height: 340, pixelRatio: 2 });
    expect(pngInfo(png)).toEqual({ width: 1184, height: 680, hasEnd: true });
    // A white 1184x680 PNG compresses to a few KB; two curves, axes and labels do not.
    expect(png.length).toBeGreaterThan(30_000);
    expect(pngInfo(equityDrawdownPng({ dates, equity }, { width: 300, height: 200 }))).toMatchObject({ width: 300, height: 200 });
  });

  it('draws both panels with their titles and the date axis in the SVG', () => {
    const { dates, equity } = equityPath(300);
    const svg = equityDrawdownSvg({ dates, equity }, { width: 600, height: 340 });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('Equity');
    expect(svg).toContain('Drawdown from peak');
    expect(svg).toContain('2022');
    expect(svg).toContain('0%');
  });

  it('handles no series, an empty one and a single point without throwing', () => {
    for (const series of [null, { dates: [], equity: [] }, { dates: ['2024-01-02'], equity: [100] }]) {
      const png = equityDrawdownPng(series, { width: 400, height: 240 });
      expect(pngInfo(png)).toMatchObject({ width: 400, height: 240 });
    }
    expect(equityDrawdownSvg(null, { width: 400, height: 240 })).toContain('No history yet');
    expect(equityDrawdownSvg({ dates: ['2024-01-02'], equity: [100] }, { width: 400, height: 240 })).not.toContain('No history yet');
  });

  it('skips non-finite values and uses a given drawdown series as is', () => {
    const svg = equityDrawdownSvg(
      { dates: ['2024-01-02', '2024-01-03', '2024-01-04'], equity: [100, Number.NaN, 90], drawdown: [0, -0.5, -0.1] },
      { width: 400, height: 240 },
    );
    // The given drawdown reaches -50%: the axis goes at least that deep.
    expect(svg).toMatch(/-50%/);
  });

  it('rejects sizes that are not whole pixels in range', () => {
    expect(() => equityDrawdownPng(null, { width: 0, height: 100 })).toThrow(ValidationError);
    expect(() => equityDrawdownPng(null, { width: 100.5, height: 100 })).toThrow(/size.width/);
    expect(() => equityDrawdownPng(null, { width: 100, height: 100, pixelRatio: 0 })).toThrow(/size.pixelRatio/);
  });
});

describe('drawdownFromEquity', () => {
  it('is the fall from the running peak, NaN where there is no value', () => {
    const equity = [100, 110, 99, Number.NaN, 121, 108.9];
    const expected = [0, 0, 99 / 110 - 1, Number.NaN, 0, 108.9 / 121 - 1];
    const got = Array.from(drawdownFromEquity(equity));
    got.forEach((v, i) => (Number.isNaN(expected[i]!) ? expect(v).toBeNaN() : expect(v).toBeCloseTo(expected[i]!, 12)));
    expect(equity).toEqual([100, 110, 99, Number.NaN, 121, 108.9]);
  });
});

describe('weights chart', () => {
  it('is a PNG of the requested size with a bar pair per holding held before or after', () => {
    expect(weightBarCount(bars)).toBe(3);
    const size = { width: 592, height: weightsChartHeight(3), pixelRatio: 2 };
    const png = weightsChartPng(bars, size);
    expect(pngInfo(png)).toEqual({ width: 1184, height: size.height * 2, hasEnd: true });
    expect(png.length).toBeGreaterThan(10_000);
    const svg = weightsChartSvg(bars, size);
    for (const symbol of ['SPY', 'TLT', 'GLD']) expect(svg).toContain(`>${symbol}<`);
    expect(svg).not.toContain('>XLE<');
    expect(svg).toContain('30%');
    expect(svg).toContain('sold');
  });

  it('says "all cash" with no holdings and draws a single holding', () => {
    expect(weightsChartSvg([], { width: 400, height: 150 })).toContain('All cash: no holdings');
    expect(pngInfo(weightsChartPng([], { width: 400, height: 150 }))).toMatchObject({ width: 400, height: 150 });
    expect(
      pngInfo(weightsChartPng([{ symbol: 'SPY', previous: 0, weight: 1 }], { width: 400, height: weightsChartHeight(1) })),
    ).toMatchObject({
      width: 400,
    });
  });
});

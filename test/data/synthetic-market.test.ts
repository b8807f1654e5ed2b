import { describe, expect, it } from 'vitest';
import { dateToTs } from '../../src/data/bar.js';
import { SyntheticProvider } from '../../src/data/providers/synthetic-provider.js';
import { generateSyntheticMarket, SYNTHETIC_SYMBOLS, syntheticInstruments, type RegimeKind } from '../../src/data/synthetic-market.js';
import { validateBars } from '../../src/data/validate-bars.js';
import { ProviderError } from '../../src/errors.js';

const END = dateToTs('2012-12-31');

describe('synthetic market', () => {
  const market = generateSyntheticMarket({ seed: 42, end: END });

  it('is reproducible from its seed and differs between seeds', () => {
    expect(generateSyntheticMarket({ seed: 42, end: END }).bars.get('SYN-EQ-US')).toEqual(market.bars.get('SYN-EQ-US'));
    expect(generateSyntheticMarket({ seed: 43, end: END }).bars.get('SYN-EQ-US')![100]!.close).not.toBe(
      market.bars.get('SYN-EQ-US')![100]!.close,
    );
  });

  it('is prefix-stable: a later end date extends the same history (delta ingest relies on it)', () => {
    const longer = generateSyntheticMarket({ seed: 42, end: dateToTs('2015-06-30') });
    for (const symbol of SYNTHETIC_SYMBOLS) {
      const short = market.bars.get(symbol)!;
      expect(longer.bars.get(symbol)!.slice(0, short.length)).toEqual(short);
    }
    expect(longer.regimes.slice(0, market.regimes.length - 1)).toEqual(market.regimes.slice(0, -1));
  });

  it('trades Monday to Friday only and every bar passes the ETL unflagged', () => {
    expect(market.dates.every((t) => ![0, 6].includes(new Date(t).getUTCDay()))).toBe(true);
    for (const symbol of SYNTHETIC_SYMBOLS) {
      const result = validateBars(market.bars.get(symbol)!, { symbol, interval: '1d', source: 'synthetic' });
      expect(result.rejected, symbol).toEqual([]);
      expect(result.flagged, symbol).toEqual([]);
      expect(result.accepted.length).toBe(market.dates.length);
    }
  });

  it('spans equities, bonds, commodities and currencies, each named as not real data', () => {
    const classes = new Set(syntheticInstruments().map((i) => i.asset_class));
    expect([...classes].sort()).toEqual(['bond', 'commodity', 'currency', 'equity']);
    expect(syntheticInstruments().every((i) => i.symbol.startsWith('SYN-') && i.name!.includes('not real data'))).toBe(true);
  });

  it("halves SYN-TECH's raw price at its 2:1 split while adj_close stays continuous", () => {
    const bars = market.bars.get('SYN-TECH')!;
    const i = bars.findIndex((b) => b.ts >= dateToTs('2010-06-01'));
    expect(bars[i]!.close / bars[i - 1]!.close).toBeLessThan(0.6);
    expect(Math.abs(bars[i]!.adj_close / bars[i - 1]!.adj_close - 1)).toBeLessThan(0.15);
    expect(bars[i]!.volume).toBeGreaterThan(bars[i - 1]!.volume);
  });

  it('pays dividends: raw closes lag the adjusted series, which starts equal to close', () => {
    const bars = market.bars.get('SYN-BOND-MID')!;
    expect(bars[0]!.adj_close).toBe(bars[0]!.close);
    const last = bars[bars.length - 1]!;
    expect(last.adj_close / last.close).toBeGreaterThan(1.2); // ~2.8%/year over 13 years
  });

  it('has regimes where momentum works (trend) and where it fails (choppy), across seeds', () => {
    for (const seed of [1, 2, 3]) {
      const m = generateSyntheticMarket({ seed, end: dateToTs('2024-12-31') });
      const index = new Map(m.dates.map((d, i) => [d, i]));
      const pnl: Record<RegimeKind, number[]> = { trend: [], choppy: [], reversal: [] };
      for (const regime of m.regimes) {
        const [start, end] = [index.get(regime.start)!, index.get(regime.end)!];
        for (const symbol of SYNTHETIC_SYMBOLS) {
          const adj = m.bars.get(symbol)!.map((b) => b.adj_close);
          // 3-month time-series momentum, held one month, inside the regime.
          for (let t = start + 63; t + 21 <= end; t += 21)
            pnl[regime.kind].push(Math.sign(Math.log(adj[t]! / adj[t - 63]!)) * Math.log(adj[t + 21]! / adj[t]!));
        }
      }
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      expect(mean(pnl.trend), `seed ${seed} trend`).toBeGreaterThan(0.002);
      expect(mean(pnl.choppy), `seed ${seed} choppy`).toBeLessThan(-0.002);
      expect(m.regimes.some((r) => r.kind === 'reversal')).toBe(true);
    }
  });
});

describe('SyntheticProvider', () => {
  it('serves one symbol within the requested range, daily only, with its metadata', async () => {
    const provider = new SyntheticProvider({ seed: 42 });
    const result = await provider.fetchBars({ symbol: 'SYN-GOLD', interval: '1d', from: dateToTs('2012-12-24'), to: END });
    expect(result.rows.map((r) => new Date(r.ts).toISOString().slice(0, 10))).toEqual([
      '2012-12-24',
      '2012-12-25',
      '2012-12-26',
      '2012-12-27',
      '2012-12-28',
      '2012-12-31',
    ]);
    expect(result.instrument).toMatchObject({ symbol: 'SYN-GOLD', asset_class: 'commodity' });
    await expect(provider.fetchBars({ symbol: 'SYN-GOLD', interval: '1h', from: undefined, to: END })).rejects.toThrow(ProviderError);
    await expect(provider.fetchBars({ symbol: 'SPY', interval: '1d', from: undefined, to: END })).rejects.toThrow(
      /unknown synthetic symbol SPY/,
    );
  });
});

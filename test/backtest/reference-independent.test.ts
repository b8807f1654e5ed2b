/**
 * The reference rules on other seeds and sizes, checked against independent implementations
 * written here from the rules in ../shared/reference/README.md (plain loops, BigInt fsum for the
 * SMAs, Python's floor division for order sizes), on random 2-decimal data with many exact ties.
 */
import { describe, expect, it } from 'vitest';
import { momentumXsReference, smaCrossReference, type ReferencePanel } from '../../src/backtest/reference.js';
import { createRandom } from '../../src/util/random.js';

const DAY = 86_400_000;

/** Weekday calendar; prices on a coarse grid (ties between averages happen) or at cents. */
function referenceData(symbols: number, days: number, seed: number, tick: number): ReferencePanel {
  const random = createRandom(seed);
  const dates: number[] = [];
  for (let t = Date.UTC(2001, 0, 1); dates.length < days; t += DAY) if (![0, 6].includes(new Date(t).getUTCDay())) dates.push(t);
  const round = (p: number) => Math.max(tick, Math.round(p / tick) * tick);
  const open: Float64Array[] = [];
  const close: Float64Array[] = [];
  for (let s = 0; s < symbols; s++) {
    let p = 20 + 80 * random.next();
    const o = new Float64Array(days);
    const c = new Float64Array(days);
    for (let d = 0; d < days; d++) {
      o[d] = Number(round(p * (1 + 0.004 * random.normal())).toFixed(2));
      p = p * Math.exp(0.0003 + 0.02 * random.normal());
      c[d] = Number(round(p).toFixed(2));
    }
    open.push(o);
    close.push(c);
  }
  return {
    interval: '1d',
    symbols: Array.from({ length: symbols }, (_, s) => `SYM${String(s).padStart(4, '0')}`),
    dates: Float64Array.from(dates),
    values: { open, close, adj_close: close },
  };
}

/** math.fsum(window) / n: exact BigInt sum of the doubles, rounded once. */
function fsumMean(window: number[]): number {
  const parts = window.map((v) => {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, v);
    const bits = view.getBigUint64(0);
    const exponent = Number((bits >> 52n) & 0x7ffn);
    return { m: (bits & ((1n << 52n) - 1n)) | (1n << 52n), e: exponent - 1075 };
  });
  const low = Math.min(...parts.map((p) => p.e));
  const total = parts.reduce((sum, p) => sum + (p.m << BigInt(p.e - low)), 0n);
  return (Number(total) * 2 ** low) / window.length;
}

/** Per symbol: long 100 shares from an up-cross to a down-cross, fills at the next open. */
function independentSmaCross(data: ReferencePanel, fast: number, slow: number) {
  const trades: { symbol: string; pnl: number }[] = [];
  data.values.close.forEach((close, j) => {
    const c = Array.from(close);
    let previous = 0;
    let long = false;
    let entry = 0;
    let pendingBuy = -1;
    let pendingSell = -1;
    for (let t = 0; t < c.length; t++) {
      if (pendingBuy === t) {
        long = true;
        entry = data.values.open[j]![t]!;
      }
      if (pendingSell === t) {
        trades.push({ symbol: data.symbols[j]!, pnl: (data.values.open[j]![t]! - entry) * 100 });
        long = false;
      }
      if (t < slow - 1) continue;
      const diff = fsumMean(c.slice(t - fast + 1, t + 1)) - fsumMean(c.slice(t - slow + 1, t + 1));
      const sign = Math.sign(diff) || previous;
      if (t >= slow && previous !== 0 && sign !== previous && t + 1 < c.length) {
        if (sign > 0 && !long && pendingBuy !== t + 1) pendingBuy = t + 1;
        if (sign < 0 && (long || pendingBuy === t)) pendingSell = t + 1;
      }
      previous = sign;
    }
  });
  return { trades };
}

/** Python's float floor division a // b (CPython float_floor_div). */
function floorDiv(a: number, b: number): number {
  const mod = a % b;
  let div = (a - mod) / b;
  if (mod !== 0 && b < 0 !== mod < 0) div -= 1;
  let floor = Math.floor(div);
  if (div - floor > 0.5) floor += 1;
  return floor;
}

/** Month-end 12-1 momentum as the README states it, with plain arrays. */
function independentMomentum(data: ReferencePanel, targetScale: number) {
  const n = data.symbols.length;
  const T = data.dates.length;
  const close = data.values.close;
  const open = data.values.open;
  let cash = 1e6;
  const pos = new Array<number>(n).fill(0);
  const flows = new Array<number>(n).fill(0);
  const trades: number[] = [];
  let pending: { j: number; size: number }[] = [];
  const k = Math.max(1, Math.floor((n * 20) / 100));
  let peak = -Infinity;
  let maxDd = 0;
  for (let t = 0; t < T; t++) {
    for (const { j, size } of pending) {
      const wasFlat = pos[j] === 0;
      if (wasFlat) flows[j] = 0;
      cash -= size * open[j]![t]!;
      flows[j]! -= size * open[j]![t]!;
      pos[j]! += size;
      if (pos[j] === 0) trades.push(flows[j]!);
    }
    pending = [];
    let value = cash;
    for (let j = 0; j < n; j++) value += pos[j]! * close[j]![t]!;
    peak = Math.max(peak, value);
    maxDd = Math.max(maxDd, (peak - value) / peak);
    const next = new Date(t + 1 < T ? data.dates[t + 1]! : data.dates[t]! + 3 * DAY).getUTCMonth();
    if (t < 252 || next === new Date(data.dates[t]!).getUTCMonth() || t === T - 1) continue;
    const ranked = data.symbols
      .map((symbol, j) => ({ symbol, j, score: close[j]![t - 21]! / close[j]![t - 252]! - 1 }))
      .sort((a, b) => b.score - a.score || (a.symbol < b.symbol ? -1 : 1));
    const chosen = new Set(ranked.slice(0, k).map((r) => r.j));
    const sells: { j: number; size: number }[] = [];
    const buys: { j: number; size: number }[] = [];
    for (let j = 0; j < n; j++) {
      const target = chosen.has(j) ? (value * targetScale) / k : 0;
      const current = pos[j]! * close[j]![t]!;
      if (target === 0 && pos[j] !== 0) sells.push({ j, size: -pos[j]! });
      else if (target > current) {
        const size = floorDiv(target - current, close[j]![t]!);
        if (size > 0) buys.push({ j, size });
      } else if (target < current) {
        const size = floorDiv(current - target, close[j]![t]!);
        if (size > 0) sells.push({ j, size: -size });
      }
    }
    pending = [...sells, ...buys];
  }
  let finalValue = cash;
  for (let j = 0; j < n; j++) finalValue += pos[j]! * close[j]![T - 1]!;
  return { finalValue, closed: trades.length, won: trades.filter((p) => p > 0).length, maxDrawdownPct: maxDd * 100 };
}

describe('reference rules on other seeds and sizes, against independent implementations', () => {
  it.each([
    [3, 400, 11, 0.5],
    [5, 700, 12, 0.01],
    [2, 900, 13, 1],
  ])('sma-cross: %i symbols x %i days (seed %i, price tick %f)', (symbols, days, seed, tick) => {
    const data = referenceData(symbols, days, seed, tick);
    const ours = smaCrossReference(data, { fast: 10, slow: 40, size: 100, cash: 1e9 });
    const theirs = independentSmaCross(data, 10, 40);
    expect(ours.summary.closed_trades).toBe(theirs.trades.length);
    expect(ours.summary.closed_trades).toBeGreaterThan(5);
    expect(ours.summary.won).toBe(theirs.trades.filter((t) => t.pnl > 0).length);
    expect(ours.summary.total_pnl).toBeCloseTo(
      theirs.trades.reduce((s, t) => s + t.pnl, 0),
      6,
    );
    for (const symbol of data.symbols) {
      const mine = ours.per_symbol[symbol]!.trades.map((t) => t.pnl);
      const independent = theirs.trades.filter((t) => t.symbol === symbol).map((t) => t.pnl);
      expect(mine.length, symbol).toBe(independent.length);
      mine.forEach((pnl, i) => expect(pnl).toBeCloseTo(independent[i]!, 6));
    }
  });

  it.each([
    [10, 700, 21, 0.99],
    [25, 900, 22, 0.99],
    [7, 1000, 23, 0.9],
  ])('momentum-xs: %i symbols x %i days (seed %i, target scale %f)', (symbols, days, seed, targetScale) => {
    const data = referenceData(symbols, days, seed, 0.01);
    const ours = momentumXsReference(data, { targetScale });
    const theirs = independentMomentum(data, targetScale);
    expect(Math.abs(ours.final_value / theirs.finalValue - 1)).toBeLessThan(1e-9);
    expect(ours.trades_closed).toBe(theirs.closed);
    expect(ours.won).toBe(theirs.won);
    expect(ours.max_drawdown_pct).toBeCloseTo(theirs.maxDrawdownPct, 6);
    expect(ours.trades_closed).toBeGreaterThan(3);
  });
});

/**
 * The reference cases of ../shared/reference, produced by backtrader 1.9.78: trade counts,
 * won/lost, P&L and final value must match (money to 1e-9 relative). Skipped only when absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { momentumXsReference, readReferencePanel, smaCrossReference } from '../../src/backtest/reference.js';

const REFERENCE = resolve(__dirname, '../../../shared/reference');
const present = (name: string) => existsSync(join(REFERENCE, name, 'expected.json'));
const expected = (name: string) => JSON.parse(readFileSync(join(REFERENCE, name, 'expected.json'), 'utf8'));

/** Equal counts and strings, money to 1e-9 relative. */
function expectClose(actual: unknown, wanted: unknown, path: string): void {
  if (typeof wanted === 'number') {
    expect(typeof actual, path).toBe('number');
    const tolerance = Number.isInteger(wanted) && Math.abs(wanted) < 1e6 ? 0 : 1e-9 * Math.max(1, Math.abs(wanted));
    expect(Math.abs((actual as number) - wanted), `${path}: ${String(actual)} vs ${wanted}`).toBeLessThanOrEqual(tolerance);
  } else if (Array.isArray(wanted)) {
    expect(Array.isArray(actual), path).toBe(true);
    expect((actual as unknown[]).length, path).toBe(wanted.length);
    wanted.forEach((w, i) => expectClose((actual as unknown[])[i], w, `${path}[${i}]`));
  } else if (wanted !== null && typeof wanted === 'object') {
    for (const [key, w] of Object.entries(wanted)) expectClose((actual as Record<string, unknown>)[key], w, `${path}.${key}`);
  } else {
    expect(actual, path).toEqual(wanted);
  }
}

describe.skipIf(!present('sma-cross'))('reference case sma-cross (8 symbols x 2520 days, SMA 20/100)', () => {
  it('matches every summary figure of backtrader', async () => {
    const result = smaCrossReference(await readReferencePanel(join(REFERENCE, 'sma-cross/data')));
    expectClose(result.summary, expected('sma-cross').summary, 'summary');
  });

  it('matches every trade of every symbol: dates, entry and exit prices, P&L', async () => {
    const result = smaCrossReference(await readReferencePanel(join(REFERENCE, 'sma-cross/data')));
    expectClose(result.per_symbol, expected('sma-cross').per_symbol, 'per_symbol');
  });
});

describe.skipIf(!present('momentum-xs'))('reference case momentum-xs (30 symbols x 3000 days, monthly 12-1 top 20%)', () => {
  it('matches every figure of backtrader: value, drawdown, trades, rebalances and selections', async () => {
    const result = momentumXsReference(await readReferencePanel(join(REFERENCE, 'momentum-xs/data')), { targetScale: 0.99 });
    const { config: _config, data: _data, ...wanted } = expected('momentum-xs');
    expectClose(result, wanted, 'momentum-xs');
  });
});

/**
 * Corporate actions derived from the adjustment factor (adj_close / close): the rule on small
 * hand-made steps, then on every file of ../shared/data against its real event file (skipped,
 * only that case, when the folder is absent).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dateToTs } from '../../src/data/bar.js';
import { simpleFraction, splitText } from '../../src/data/corporate-action.js';
import { classifyStep, deriveActions, stepTolerance } from '../../src/data/derive-actions.js';
import { readActionsFile } from '../../src/data/providers/actions-file.js';
import { readCsvBars } from '../../src/data/providers/csv-provider.js';

const DATA = resolve(__dirname, '../../../shared/data');
const FOLDERS = ['etf-daily', 'stocks-daily'];
const present = FOLDERS.every((f) => existsSync(join(DATA, f, 'actions')));

/** Bars whose adjusted close is the raw close scaled back for the events after each bar. */
function series(closes: readonly number[], factors: readonly number[]) {
  return closes.map((close, i) => ({ ts: dateToTs('2024-01-01') + i * 86_400_000, close, adj_close: close * factors[i]! }));
}

describe('simpleFraction and splitText', () => {
  it('finds the split ratio behind a noisy decimal and writes it as holders know it', () => {
    expect(simpleFraction(7.00000700001, 1e-5)).toEqual([7, 1]);
    expect(simpleFraction(0.125, 1e-9)).toEqual([1, 8]);
    expect(simpleFraction(1.5, 1e-9)).toEqual([3, 2]);
    expect(simpleFraction(Math.PI, 1e-4)).toBeNull();
    expect(simpleFraction(1.265, 1e-3)).toBeNull(); // 19:15 is no split ratio a company sets
    expect(splitText(4)).toBe('4:1');
    expect(splitText(0.125)).toBe('1:8 (reverse)');
    expect(splitText(1.5)).toBe('3:2');
    expect(splitText(7.00000700001)).toBe('7:1');
  });
});

describe('classifyStep', () => {
  it('is nothing within the rounding tolerance', () => {
    expect(classifyStep(1 + 5e-5, 100, 1e-4)).toEqual({ kind: 'none' });
    expect(classifyStep(1 - 5e-5, 100, 1e-4)).toEqual({ kind: 'none' });
    expect(classifyStep(1 + 5e-5, 100, 1e-6)).toMatchObject({ kind: 'dividend' });
  });

  it("measures the tolerance on the series' own noise: 20 x the median step, within [1e-6, 1e-2]", () => {
    expect(stepTolerance([1, 1, 1 + 1e-12, 1.01])).toBe(1e-6);
    expect(stepTolerance([1 + 2e-5, 1 - 3e-5, 1 + 1e-5, 1.02, 1 - 4e-5])).toBeCloseTo(20 * 3e-5, 12);
    expect(stepTolerance([1.01, 0.99, 1.02])).toBe(1e-2);
  });

  it('is a split when the step is a simple fraction beyond +-20%', () => {
    expect(classifyStep(4.0003, 500, 1e-6)).toMatchObject({ kind: 'split', value: 4 });
    expect(classifyStep(0.12501, 2, 1e-6)).toMatchObject({ kind: 'split', value: 0.125 });
    expect(classifyStep(1.5, 90, 1e-6)).toMatchObject({ kind: 'split', value: 1.5 });
  });

  it('is a cash distribution D = close before x (1 - 1/g) for a small rise, flagged beyond 20%', () => {
    const dividend = classifyStep(1 / (1 - 0.82 / 440), 440, 1e-6);
    expect(dividend).toMatchObject({ kind: 'dividend', doubt: null });
    expect((dividend as { value: number }).value).toBeCloseTo(0.82, 10);
    const spinOff = classifyStep(3.2739, 70, 1e-6);
    expect(spinOff).toMatchObject({ kind: 'dividend' });
    expect((spinOff as { doubt: string }).doubt).toMatch(/^unclassified: .* no split ratio fits; stored as a cash distribution/);
  });

  it('flags a fall of the factor no split or dividend explains, and stores nothing', () => {
    expect(classifyStep(0.97, 50, 1e-6)).toMatchObject({ kind: 'unclassified' });
  });
});

describe('deriveActions', () => {
  it('finds a 4:1 split and a dividend from adjusted closes anchored at the last bar', () => {
    // A dividend of 1 before bar 2 (close 100 before it), a 4:1 split on bar 4.
    const closes = [100, 100, 99, 100, 25, 26];
    const factors = [0.99 / 4, 0.99 / 4, 1 / 4, 1 / 4, 1, 1];
    const { actions, flagged } = deriveActions('X', series(closes, factors), '1d');
    expect(flagged).toEqual([]);
    expect(actions.map((a) => [a.exDate, a.kind])).toEqual([
      ['2024-01-03', 'dividend'],
      ['2024-01-05', 'split'],
    ]);
    expect(actions[0]!.value).toBeCloseTo(1, 10);
    expect(actions[1]!.value).toBe(4);
    expect(actions.every((a) => a.source === 'derived' && a.note?.startsWith('derived: '))).toBe(true);
  });

  it('skips rows without positive prices instead of inventing a step across them', () => {
    const rows = series([10, 10, 10], [1, 1, 1]);
    const withGap = [rows[0]!, { ...rows[1]!, close: Number.NaN }, rows[2]!];
    expect(deriveActions('X', withGap, '1d').actions).toEqual([]);
  });
});

describe.skipIf(!present)('deriveActions against the real event files of ../shared/data', () => {
  it('recovers every split, finds every dividend, and invents almost nothing', async () => {
    let realSplits = 0;
    let splitsFound = 0;
    let dividends = 0;
    let dividendsFound = 0;
    let dividendsClose = 0;
    let invented = 0;
    let derivedTotal = 0;
    const missedSplits: string[] = [];
    for (const folder of FOLDERS) {
      for (const file of readdirSync(join(DATA, folder)).filter((f) => f.endsWith('.csv'))) {
        const symbol = file.slice(0, -4);
        const bars = await readCsvBars(join(DATA, folder, file), '1d');
        const real = readActionsFile(join(DATA, folder, 'actions', file), symbol, null);
        expect(real.problems).toEqual([]);
        const derived = deriveActions(symbol, bars.rows, '1d').actions;
        derivedTotal += derived.length;
        const found = new Map(derived.map((a) => [`${a.exDate}|${a.kind}`, a]));
        const byDate = new Map(derived.map((a) => [a.exDate, a]));
        for (const event of real.actions) {
          if (event.kind === 'split') {
            // Upstream also writes spin-offs and a merger as "splits" (1.011, 1.032, 1.054, 1.265):
            // the derivation sees those as the cash-equivalent distribution they are worth to a holder.
            if (Math.abs(Math.log(event.value)) <= Math.log(1.2) || simpleFraction(event.value, 1e-5) === null) {
              if (byDate.get(event.exDate)?.kind === 'dividend') splitsFound++;
              realSplits++;
              continue;
            }
            realSplits++;
            const hit = found.get(`${event.exDate}|split`);
            if (hit && Math.abs(hit.value / event.value - 1) < 1e-5) splitsFound++;
            else missedSplits.push(`${symbol} ${event.exDate} x${event.value}`);
          } else {
            dividends++;
            const hit = found.get(`${event.exDate}|dividend`);
            if (hit) {
              dividendsFound++;
              if (Math.abs(hit.value / event.value - 1) < 0.05) dividendsClose++;
            }
          }
        }
        const realKeys = new Set(real.actions.map((a) => a.exDate));
        invented += derived.filter((a) => !realKeys.has(a.exDate)).length;
      }
    }
    expect(missedSplits).toEqual([]);
    expect(splitsFound).toBe(realSplits);
    expect(realSplits).toBeGreaterThan(100);
    // Every dividend of the files, down to FXE's 0.0002 a share (0.00014% of its price).
    expect(dividendsFound).toBe(dividends);
    expect(dividends).toBeGreaterThan(9_000);
    // The upstream adjustment is not exactly close x (1 - D/close): ~0.7% apart at the median.
    expect(dividendsClose / dividends).toBeGreaterThan(0.97);
    // Events the files do not list: spin-offs (flagged) and GOOGL's 2014 share-class distribution.
    expect(invented).toBeLessThanOrEqual(derivedTotal * 0.001);
  });
});

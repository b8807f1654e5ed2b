/**
 * The set-up the notebooks share (they run it through dist in `npm run notebooks:run`): a scratch
 * store that close() removes, plotly.js shown once, and the closing checks and table formats.
 */
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { check, num, openNotebook, pct, points, usd } from '../../src/index.js';

describe('notebook kit', () => {
  afterEach(() => vi.restoreAllMocks());

  it('opens a migrated scratch store, shows plotly.js once, and close() removes the scratch folder', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const shown: string[] = [];
    const session = await openNotebook('test', { html: (html) => shown.push(html) });
    expect(existsSync(session.scratchHome)).toBe(true);
    expect(shown).toHaveLength(1);
    // Migrated: the tables are there (empty on the scratch store; DATABASE_URL's may hold rows).
    await expect(session.db.kysely.selectFrom('backtests').select('id').limit(1).execute()).resolves.toBeInstanceOf(Array);
    session.plot([{ y: [1, 2] }]);
    expect(shown).toHaveLength(2);
    expect(shown[1]!.length).toBeLessThan(shown[0]!.length / 10); // the chart without the bundle
    await session.close();
    expect(existsSync(session.scratchHome)).toBe(false);
    expect(log.mock.calls.map((c) => String(c[0]))).toEqual([
      expect.stringMatching(/^database: /),
      expect.stringMatching(/^closed the .* database; removed /),
    ]);
  });

  it('checks say ok or fail the cell', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    check(true, 'one is one');
    expect(log).toHaveBeenCalledWith('ok  one is one');
    expect(() => check(false, 'two is one')).toThrow('check failed: two is one');
  });

  it('formats figures for tables as the reports do, with a dash for missing ones', () => {
    expect([pct(0.12345), pct(0.12345, 1), pct(null), num(1.235, 1), num(undefined), num(1234.5678), pct(12.5, 0)]).toEqual([
      '12.35%',
      '12.3%',
      '–',
      '1.2',
      '–',
      '1,234.57',
      '1,250%',
    ]);
    expect([usd(1234.5), usd(99, 0), points(1.25), points(-0.5), points(null)]).toEqual(['$1,234.50', '$99', '+1.3 pts', '-0.5 pts', '-']);
  });
});

/**
 * A CSV of fundamentals imported point in time: bad rows rejected with their line and reason, the
 * rest stored; the same file again stores nothing; a stored key with another value refused; a
 * restatement (a later reported date) a new row; `momentum fundamentals import`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFundamentals } from '../../src/data/fundamentals-import.js';
import { runCli } from '../helpers/cli.js';
import { cliEnvironment } from '../helpers/cli-env.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const FILE = [
  'Symbol,Field,Period_End,Period_Type,Value,Reported_Date',
  'AAPL,revenue,2024-03-31,quarterly,90.75e9,2024-05-02', // 2
  'AAPL,eps_diluted,2024-03-31,quarterly,1.53,2024-05-02', // 3
  'AAPL,revenue,2023-09-30,annual,383.29e9,', // 4: lag rule
  'AAPL,revenue,2024-03-31,quarterly,90.75e9,2024-05-02', // 5: repeats 2
  'MSFT,revenue,2024-03-31,quarterly,-5,2024-04-25', // 6: negative, flagged
  'MSFT,ebitdaa,2024-03-31,quarterly,5,2024-04-25', // 7: unknown field
  'ZZZ,revenue,2024-03-31,quarterly,,2024-04-25', // 8: missing value
  'ZZZ,revenue,2024-03-31,quarterly,1,2024-02-25', // 9: reported before the period ended
  '"MSFT,X",revenue', // 10: wrong field count
].join('\n');

describe(`fundamentals CSV import (${engineName})`, () => {
  let db: TestDatabase;
  let folder: string;
  beforeAll(async () => {
    db = await openTestDatabase();
    folder = mkdtempSync(join(tmpdir(), 'momentum-fundamentals-'));
    writeFileSync(join(folder, 'f.csv'), FILE);
  });
  afterAll(async () => {
    await db.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('stores the good rows, flags, rejects with reasons and names the symbol with nothing stored; again: all unchanged', async () => {
    const first = await importFundamentals(db, join(folder, 'f.csv'));
    expect(first).toMatchObject({ rows: 9, stored: 4, unchanged: 0, withoutValues: ['ZZZ'] });
    expect(first.flagged).toEqual([{ line: 6, symbol: 'MSFT', reason: expect.stringMatching(/^negative: revenue 2024-03-31 = -5/) }]);
    expect(first.repeated).toEqual([{ line: 5, symbol: 'AAPL', reason: 'repeats line 2' }]);
    expect(first.rejected.map((r) => [r.line, r.reason.split(':')[0]])).toEqual([
      [7, 'unknown field "ebitdaa"'],
      [8, 'missing value'],
      [9, 'reported_date 2024-02-25 is before period_end 2024-03-31 (periods out of order)'],
      [10, 'expected 6 fields, got 2'],
    ]);
    const { rows } = await sql<{
      row: string;
    }>`select concat_ws(' ', symbol, field, period_end, period_type, value, to_char(known_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI'), source, flag) as row
      from fundamentals order by symbol, field, period_type`.execute(db.kysely);
    expect(rows.map((r) => r.row)).toEqual([
      'AAPL eps_diluted 2024-03-31 quarterly 1.53 2024-05-02 00:00 csv',
      'AAPL revenue 2023-09-30 annual 383290000000 2023-12-29 00:00 csv', // 2023-09-30 + 90 days
      'AAPL revenue 2024-03-31 quarterly 90750000000 2024-05-02 00:00 csv',
      'MSFT revenue 2024-03-31 quarterly -5 2024-04-25 00:00 csv negative',
    ]);
    const again = await importFundamentals(db, join(folder, 'f.csv'));
    expect(again).toMatchObject({ stored: 0, unchanged: 4, withoutValues: ['ZZZ'] });
  });

  it('refuses another value for a stored key; stores a restatement (a later reported date) as a new row beside the first', async () => {
    writeFileSync(
      join(folder, 'restated.csv'),
      [
        'symbol,field,period_end,period_type,value,reported_date',
        'AAPL,revenue,2024-03-31,quarterly,91e9,2024-05-02',
        'AAPL,revenue,2024-03-31,quarterly,91e9,2024-08-01',
      ].join('\n'),
    );
    const report = await importFundamentals(db, join(folder, 'restated.csv'));
    expect(report).toMatchObject({ stored: 1, unchanged: 0, withoutValues: [] });
    expect(report.rejected).toEqual([
      { line: 2, symbol: 'AAPL', reason: expect.stringContaining('is stored with 90750000000 for the same reported date') },
    ]);
    const { rows } = await sql<{ value: number }>`select value from fundamentals
      where symbol = 'AAPL' and field = 'revenue' and period_type = 'quarterly' order by known_at`.execute(db.kysely);
    expect(rows.map((r) => r.value)).toEqual([90.75e9, 91e9]);
  });

  it('refuses a file without the required columns, naming them', async () => {
    writeFileSync(join(folder, 'bad.csv'), 'symbol,field,value\nAAPL,revenue,1\n');
    await expect(importFundamentals(db, join(folder, 'bad.csv'))).rejects.toThrow(/lacks period_end, period_type/);
  });
});

describe(`momentum fundamentals import (${engineName})`, () => {
  it('prints the counts and the reasons; --json gives the report', async () => {
    const cli = await cliEnvironment();
    const folder = mkdtempSync(join(tmpdir(), 'momentum-fundamentals-cli-'));
    try {
      writeFileSync(join(folder, 'f.csv'), FILE);
      const text = await runCli(['fundamentals', 'import', '--path', join(folder, 'f.csv')], cli.env);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toContain('9 rows: 4 stored, 0 unchanged, 1 flagged, 4 rejected, 1 repeated');
      expect(text.stdout).toContain('line 7 MSFT: unknown field "ebitdaa"');
      expect(text.stdout).toContain('no fundamentals stored for ZZZ');
      const json = await runCli(['fundamentals', 'import', '--path', join(folder, 'f.csv'), '--json'], cli.env);
      expect(json.code, json.stderr).toBe(0);
      expect(JSON.parse(json.stdout)).toMatchObject({ rows: 9, stored: 0, unchanged: 4 });
    } finally {
      rmSync(folder, { recursive: true, force: true });
      await cli.dispose();
    }
  });
});

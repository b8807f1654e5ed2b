/**
 * Corporate actions through ingest: an events file beside CSV prices (bad rows rejected one by one,
 * the rest stored), derivation when there is none, idempotent re-ingest, a derived event never
 * replacing a sourced one, and `momentum data actions`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listActions, upsertActions } from '../../src/data/corporate-actions-store.js';
import { runIssues } from '../../src/data/ingest-run-store.js';
import { ingest } from '../../src/data/ingest.js';
import { CsvProvider } from '../../src/data/providers/csv-provider.js';
import { runCli } from '../helpers/cli.js';
import { cliEnvironment } from '../helpers/cli-env.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const PRICES = [
  'date,open,high,low,close,adj_close,volume',
  // a dividend of 1 on the 3rd (close 100 the day before), a 2:1 split on the 5th
  '2024-01-01,100,100,100,100,49.5,10',
  '2024-01-02,100,100,100,100,49.5,10',
  '2024-01-03,99,99,99,99,49.5,10',
  '2024-01-04,100,100,100,100,50,10',
  '2024-01-05,50,50,50,50,50,10',
  '2024-01-08,51,51,51,51,51,10',
].join('\n');

describe(`corporate actions through ingest (${engineName})`, () => {
  let db: TestDatabase;
  let folder: string;
  beforeAll(async () => {
    db = await openTestDatabase();
    folder = mkdtempSync(join(tmpdir(), 'momentum-events-'));
    mkdirSync(join(folder, 'actions'));
    writeFileSync(join(folder, 'EVT.csv'), PRICES);
    writeFileSync(join(folder, 'DRV.csv'), PRICES);
    writeFileSync(
      join(folder, 'actions', 'EVT.csv'),
      [
        'date,kind,value',
        '2024-01-03,dividend,1',
        '2024-01-05,split,2.0',
        '2024-01-04,merger,1.5',
        '2024-01-04,split,0',
        '2024-01-04,dividend,-0.3',
        '2024-01-04,dividend,0x10',
        '2023-12-01,dividend,0.5',
        '2024-02-30,split,2',
        '2024-01-08,dividend,0.2',
        '2024-01-08,dividend,0.25',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await db?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('stores the good events of an events file and rejects each bad row with its line and reason', async () => {
    const report = await ingest(db, new CsvProvider({ path: folder }), { symbols: ['EVT'], interval: '1d' });
    expect(report.status).toBe('ok');
    expect(report.symbols[0]!.inserted).toBe(6);
    const stored = await listActions(db, 'EVT');
    expect(stored.map((a) => [a.exDate, a.kind, a.value, a.source])).toEqual([
      ['2024-01-03', 'dividend', 1, 'csv'],
      ['2024-01-05', 'split', 2, 'csv'],
    ]);
    const issues = await runIssues(db, report.runId);
    expect(issues.map((i) => [i.kind, i.line, i.reason])).toEqual([
      ['rejected', 4, 'actions/EVT.csv: unknown kind "merger": expected split or dividend'],
      ['rejected', 5, 'actions/EVT.csv: split value "0" is not a number above 0 (new shares per old share, 0.125 for 1:8)'],
      ['rejected', 6, 'actions/EVT.csv: dividend value "-0.3" is not a number above 0 (cash per share)'],
      ['rejected', 7, 'actions/EVT.csv: dividend value "0x10" is not a number above 0 (cash per share)'],
      ['rejected', 8, 'actions/EVT.csv: dividend on 2023-12-01 is outside the price history (2024-01-01 to 2024-01-08)'],
      ['rejected', 9, 'actions/EVT.csv: invalid date "2024-02-30": expected YYYY-MM-DD'],
      ['rejected', 11, 'actions/EVT.csv: a second dividend on 2024-01-08 (0.25) contradicts line 10 (0.2): neither is kept'],
    ]);
    expect(report.symbols[0]!.notes).toContain(
      'corporate actions (actions/EVT.csv): 2 new, 0 restated, 0 already stored, 7 rejected (momentum data issues)',
    );
  });

  it('re-ingesting stores nothing twice', async () => {
    const again = await ingest(db, new CsvProvider({ path: folder }), { symbols: ['EVT'], interval: '1d', full: true });
    expect(again.symbols[0]!.notes).toContain(
      'corporate actions (actions/EVT.csv): 0 new, 0 restated, 2 already stored, 7 rejected (momentum data issues)',
    );
    expect(await listActions(db, 'EVT')).toHaveLength(2);
  });

  it('derives the events from the adjustment factor when there is no events file, and says so', async () => {
    const report = await ingest(db, new CsvProvider({ path: folder }), { symbols: ['DRV'], interval: '1d' });
    const stored = await listActions(db, 'DRV');
    expect(stored.map((a) => [a.exDate, a.kind, a.source])).toEqual([
      ['2024-01-03', 'dividend', 'derived'],
      ['2024-01-05', 'split', 'derived'],
    ]);
    expect(stored[0]!.value).toBeCloseTo(1, 9);
    expect(stored[1]!.value).toBe(2);
    expect(report.symbols[0]!.notes).toContain(
      'corporate actions (derived from adj_close / close (no events file)): 2 new, 0 restated, 0 already stored',
    );
  });

  it('lets a sourced event replace a derived one, never the other way round', async () => {
    await upsertActions(db, [{ symbol: 'DRV', exDate: '2024-01-03', kind: 'dividend', value: 1.01, source: 'yahoo' }]);
    const derivedAgain = await upsertActions(db, [
      { symbol: 'DRV', exDate: '2024-01-03', kind: 'dividend', value: 0.99, source: 'derived' },
    ]);
    expect(derivedAgain).toEqual({ inserted: 0, updated: 0, unchanged: 1 });
    expect((await listActions(db, 'DRV'))[0]).toMatchObject({ value: 1.01, source: 'yahoo' });
  });
});

describe(`momentum data actions (${engineName})`, () => {
  it('lists the stored events of a symbol, splits in words', async () => {
    const cli = await cliEnvironment();
    const folder = mkdtempSync(join(tmpdir(), 'momentum-events-cli-'));
    try {
      mkdirSync(join(folder, 'actions'));
      writeFileSync(join(folder, 'USO.csv'), PRICES);
      writeFileSync(join(folder, 'actions', 'USO.csv'), 'date,kind,value\n2024-01-05,split,0.125\n');
      expect((await runCli(['ingest', '--source', 'csv', '--path', folder, '--symbols', 'USO'], cli.env)).code).toBe(0);
      const listed = await runCli(['data', 'actions', 'uso'], cli.env);
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout).toMatch(/2024-01-05\s+split\s+1:8 \(reverse\) \(0\.125 new per old\)\s+csv/);
      expect(listed.stdout).toContain('USO: 1 split(s), 0 dividend(s)');
      const none = await runCli(['data', 'actions', 'SPY'], cli.env);
      expect(none.stdout).toContain('no splits or dividends stored for SPY');
    } finally {
      rmSync(folder, { recursive: true, force: true });
      await cli.dispose();
    }
  });
});

/**
 * The real data in ../shared/data: ingesting it twice gives the same row counts as once, and every
 * stored value equals its CSV text exactly. Skipped (only these cases) when the folder is absent.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest, type IngestReport } from '../../src/data/ingest.js';
import { CsvProvider } from '../../src/data/providers/csv-provider.js';
import { barCount } from '../helpers/bars.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const DATA = resolve(__dirname, '../../../shared/data');
const FOLDERS = ['etf-daily', 'stocks-daily'];
const present = FOLDERS.every((f) => existsSync(join(DATA, f)));

describe.skipIf(!present)(`../shared/data round trip (${engineName})`, () => {
  let db: TestDatabase;
  const first: IngestReport[] = [];
  let csvRows = 0;

  beforeAll(async () => {
    db = await openTestDatabase();
    for (const folder of FOLDERS) {
      const provider = new CsvProvider({ path: join(DATA, folder) });
      first.push(await ingest(db, provider, { symbols: await provider.listSymbols(), interval: '1d' }));
      for (const file of readdirSync(join(DATA, folder))) {
        if (file.endsWith('.csv'))
          csvRows +=
            readFileSync(join(DATA, folder, file), 'utf8')
              .trim()
              .split('\n').length - 1;
      }
    }
  });
  afterAll(async () => {
    await db?.close();
  });

  it('stores every row of every file, with nothing rejected', async () => {
    for (const report of first) {
      expect(report.status).toBe('ok');
      expect(report.totals.bars_rejected).toBe(0);
    }
    const inserted = first.reduce((n, r) => n + r.totals.bars_inserted, 0);
    expect(inserted).toBe(csvRows);
    expect(await barCount(db)).toBe(csvRows);
  });

  it('flags the big real moves the data notes list (e.g. AIG 2008-09-15) without rejecting them', async () => {
    const flagged = first.flatMap((r) => r.symbols.flatMap((s) => s.flagged.map((f) => `${f.symbol} ${f.ts}`)));
    expect(flagged).toContain('AIG 2008-09-15');
    expect(flagged).toContain('MS 2008-10-13');
  });

  it('a second full import of the same files changes nothing and counts the same rows', async () => {
    for (const [i, folder] of FOLDERS.entries()) {
      const provider = new CsvProvider({ path: join(DATA, folder) });
      const again = await ingest(db, provider, { symbols: await provider.listSymbols(), interval: '1d', full: true });
      expect(again.totals).toMatchObject({
        bars_fetched: first[i]!.totals.bars_fetched,
        bars_inserted: 0,
        bars_updated: 0,
        bars_unchanged: first[i]!.totals.bars_inserted,
      });
    }
    expect(await barCount(db)).toBe(csvRows);
  });

  it('every stored value equals the CSV text exactly (dates, raw and adjusted prices, volume)', async () => {
    let compared = 0;
    for (const folder of FOLDERS) {
      for (const file of readdirSync(join(DATA, folder)).filter((f) => f.endsWith('.csv'))) {
        const symbol = file.replace(/\.csv$/, '');
        const lines = readFileSync(join(DATA, folder, file), 'utf8')
          .trim()
          .split('\n')
          .slice(1);
        const stored = await sql<{ d: string[]; v: number[][] }>`
          select array_agg(to_char(ts at time zone 'UTC', 'YYYY-MM-DD') order by ts) as d,
                 array_agg(array[open, high, low, close, adj_close, volume] order by ts) as v
          from bars where symbol = ${symbol} and interval = '1d'`.execute(db.kysely);
        const { d, v } = stored.rows[0]!;
        expect(d.length, symbol).toBe(lines.length);
        lines.forEach((line, i) => {
          const [date, ...values] = line.split(',');
          if (d[i] !== date || values.some((text, k) => Number(text) !== v[i]![k])) {
            throw new Error(`${symbol} ${date}: CSV ${values.join(',')} but stored ${d[i]} ${v[i]!.join(',')}`);
          }
          compared++;
        });
      }
    }
    expect(compared).toBe(csvRows);
  });
});

/**
 * CSV input that used to lose rows silently (issue 15): an unterminated quote swallowed the rest of
 * the file; a file whose every row was rejected ended "ok" (exit 0); years 0000-0099 were shifted
 * by 1900; a file with a header and no rows ended "ok"; hex numbers (0x88) were read as numbers; `spy.csv` beside `SPY.csv` hid one of them.
 * Real files, the real provider and the real ingest on the engine under test.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dateToTs } from '../../src/data/bar.js';
import { ingest } from '../../src/data/ingest.js';
import { CsvProvider, readCsvBars } from '../../src/data/providers/csv-provider.js';
import { DataError } from '../../src/errors.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const HEADER = 'date,open,high,low,close,adj_close,volume';
const row = (date: string, close = '10.5') => `${date},10,11,9,${close},${close},100`;

describe(`strict CSV input (${engineName})`, () => {
  let dir: string;
  let db: TestDatabase;
  const write = (folder: string, name: string, lines: readonly string[]) => {
    const path = join(dir, folder);
    mkdirSync(path, { recursive: true });
    writeFileSync(join(path, name), lines.join('\n') + '\n');
    return path;
  };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'momentum-csv-strict-'));
    db = await openTestDatabase();
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await db.close();
  });

  it('an unterminated quote fails the rest of the file, naming its line; the rows before it are kept', async () => {
    const lines = [
      HEADER,
      row('2020-01-02'),
      row('2020-01-03'),
      '2020-01-06,"10,11,9,10.5,10.5,100',
      ...[7, 8, 9, 10].map((d) => row(`2020-01-${String(d).padStart(2, '0')}`)),
    ];
    const path = write('quote', 'QUOTE.csv', lines);
    const read = await readCsvBars(join(path, 'QUOTE.csv'), '1d');
    expect(read.rows.map((r) => r.line)).toEqual([2, 3]);
    expect(read.unparsed).toEqual([
      expect.objectContaining({ line: 4, reason: 'unterminated quote: the rest of the file (lines 4 to 8) is not read' }),
    ]);
  });

  it('a file whose every row is rejected is a failed file', async () => {
    const path = write('us-dates', 'USD.csv', [HEADER, row('01/02/2020'), row('01/03/2020')]);
    const report = await ingest(db, new CsvProvider({ path }), { symbols: ['USD'], interval: '1d' });
    expect(report.status).toBe('failed');
    const [outcome] = report.symbols;
    expect(outcome!.status).toBe('failed');
    expect(outcome!.error).toContain('none of its 2 rows could be stored');
  });

  it('a file with a header and no rows is a failed file, beside good ones a partial ingest', async () => {
    const path = write('header-only', 'NOROWS.csv', [HEADER]);
    write('header-only', 'GOOD.csv', [HEADER, row('2020-01-02')]);
    const report = await ingest(db, new CsvProvider({ path }), { symbols: ['NOROWS', 'GOOD'], interval: '1d' });
    expect(report.status).toBe('partial');
    const bySymbol = new Map(report.symbols.map((o) => [o.symbol, o]));
    expect(bySymbol.get('NOROWS')).toMatchObject({ status: 'failed', error: 'NOROWS.csv has a header but no data rows' });
    expect(bySymbol.get('GOOD')!.status).toBe('ok');
  });

  it('reads four-digit years as written (0050 is not 1950) and refuses other years', async () => {
    expect(new Date(dateToTs('0050-03-01')).toISOString()).toBe('0050-03-01T00:00:00.000Z');
    expect(new Date(dateToTs('0000-01-01')).getUTCFullYear()).toBe(0);
    for (const text of ['50-03-01', '+02020-03-01', '20200-03-01']) expect(dateToTs(text), text).toBeNaN();
  });

  it('reads decimal numbers only: hex, binary, octal, Infinity and NaN are malformed', async () => {
    const numbers = ['0x88', '0b101', '0o17', 'Infinity', 'NaN', '1_000'];
    const path = write('numbers', 'NUM.csv', [
      HEADER,
      row('2020-01-02', '1e1'),
      ...numbers.map((n, i) => row(`2020-01-${String(i + 3).padStart(2, '0')}`, n)),
    ]);
    const read = await readCsvBars(join(path, 'NUM.csv'), '1d');
    expect(read.rows[0]!.close).toBe(10);
    expect(read.rows.slice(1).map((r) => r.close)).toEqual(numbers.map(() => Number.NaN));
  });

  it('reports files whose names differ only in case instead of reading one of them', () => {
    const path = write('dupes', 'SPY.csv', [HEADER, row('2020-01-02')]);
    write('dupes', 'spy.csv', [HEADER, row('2020-01-03')]);
    expect(() => new CsvProvider({ path })).toThrow(DataError);
    expect(() => new CsvProvider({ path })).toThrow(/SPY\.csv and spy\.csv both hold SPY/);
  });
});

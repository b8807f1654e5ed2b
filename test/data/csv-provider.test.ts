import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dateToTs, formatBarTime } from '../../src/data/bar.js';
import { CsvProvider } from '../../src/data/providers/csv-provider.js';
import { DataError } from '../../src/errors.js';

const FAR_FUTURE = Date.parse('2100-01-01');
const request = (symbol: string, interval: '1d' | '5m' = '1d') => ({ symbol, interval, from: undefined, to: FAR_FUTURE });

describe('CsvProvider', () => {
  let dir: string;
  const write = (name: string, text: string) => writeFileSync(join(dir, name), text);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'momentum-csv-'));
    write(
      'OURS.csv',
      'date,open,high,low,close,adj_close,volume\n2020-01-02,10,11,9,10.5,10.25,100\n2020-01-03,10.5,11.5,10,11,10.75,200\n',
    );
    write('YAHOO.csv', '\ufeffDate,Open,High,Low,Close,Adj Close,Volume\n2020-01-03,1.5,2,1,1.75,1.7,5\n2020-01-02,1,1.5,0.9,1.25,1.2,4\n');
    write('NOADJ.csv', 'Date,Open,High,Low,Close,Volume\n2020-01-02,1,2,0.5,1.5,10\n');
    write('SHUFFLED.csv', 'volume,close,date,adj_close,low,high,open\n7,3,2020-01-02,2.9,2,4,2.5\n');
    write(
      'MESSY.csv',
      [
        'date,open,high,low,close,adj_close,volume',
        '2020-01-02,10,11,9,10.5,10.5,100', // line 2: fine
        '2020-01-03,10,11,9', // line 3: too few fields
        '2020-13-01,10,11,9,10.5,10.5,100', // line 4: impossible date
        '2020-01-06,null,11,9,10.5,10.5,100', // line 5: Yahoo-style null
        '2020-01-07,10,11,9,,10.5,100', // line 6: empty close
        '2020-01-08,10,11,9,10.5,10.5,100,extra', // line 7: too many fields
        '',
        '2020-01-09,"10,5",11,9,10.5,10.5,100', // line 9: quoted field with a comma: not a number
        '2020-01-10,10,11,9,10.5,10.5,100', // line 10: fine
      ].join('\n'),
    );
    write(
      'WINDOWS.csv',
      'Date;Open;High;Low;Close;Adj Close;Volume\r\n2020-01-02;1;2;0.5;1.5;1.4;10\r\n\r\n2020-01-03;1;2;0.5;1.25;1.2;10\r\n',
    );
    write('EMPTY.csv', '');
    write('HEADERONLY.csv', 'date,open,high,low,close,adj_close,volume\n');
    write('BADHEADER.csv', 'when,price\n2020-01-02,1\n');
    write(
      'INTRA.csv',
      'date,open,high,low,close,volume\n2024-03-15T14:30:00Z,1,2,0.5,1.5,10\n2024-03-15T10:35:00-04:00,1,2,0.5,1.5,10\n2024-03-15,1,2,0.5,1.5,10\n',
    );
    write('notes.txt', 'not a csv');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists one symbol per .csv file, upper-cased, ignoring other files', async () => {
    const symbols = await new CsvProvider({ path: dir }).listSymbols();
    expect(symbols).toEqual(['BADHEADER', 'EMPTY', 'HEADERONLY', 'INTRA', 'MESSY', 'NOADJ', 'OURS', 'SHUFFLED', 'WINDOWS', 'YAHOO']);
  });

  it('reads our layout with raw and adjusted close and line numbers', async () => {
    const result = await new CsvProvider({ path: dir }).fetchBars(request('OURS'));
    expect(result.unparsed).toEqual([]);
    expect(result.rows).toEqual([
      { ts: dateToTs('2020-01-02'), open: 10, high: 11, low: 9, close: 10.5, adj_close: 10.25, volume: 100, line: 2 },
      { ts: dateToTs('2020-01-03'), open: 10.5, high: 11.5, low: 10, close: 11, adj_close: 10.75, volume: 200, line: 3 },
    ]);
  });

  it("reads Yahoo's CSV layout (with a byte-order mark), in any row order", async () => {
    const result = await new CsvProvider({ path: join(dir, 'YAHOO.csv') }).fetchBars(request('YAHOO'));
    expect(result.rows.map((r) => [formatBarTime(r.ts, '1d'), r.close, r.adj_close])).toEqual([
      ['2020-01-03', 1.75, 1.7],
      ['2020-01-02', 1.25, 1.2],
    ]);
  });

  it('reads Windows line endings and the delimiter the header uses', async () => {
    const result = await new CsvProvider({ path: dir }).fetchBars(request('WINDOWS'));
    expect(result.unparsed).toEqual([]);
    expect(result.rows).toEqual([
      { ts: dateToTs('2020-01-02'), open: 1, high: 2, low: 0.5, close: 1.5, adj_close: 1.4, volume: 10, line: 2 },
      { ts: dateToTs('2020-01-03'), open: 1, high: 2, low: 0.5, close: 1.25, adj_close: 1.2, volume: 10, line: 4 },
    ]);
  });

  it('reads columns in any order and uses close when there is no adjusted close, saying so', async () => {
    const provider = new CsvProvider({ path: dir });
    expect((await provider.fetchBars(request('SHUFFLED'))).rows[0]).toMatchObject({
      open: 2.5,
      high: 4,
      low: 2,
      close: 3,
      adj_close: 2.9,
      volume: 7,
    });
    const noAdj = await provider.fetchBars(request('NOADJ'));
    expect(noAdj.rows[0]!.adj_close).toBe(1.5);
    expect(noAdj.notes).toEqual(['NOADJ.csv has no adjusted close column: adj_close = close']);
  });

  it('turns malformed lines into per-line problems and keeps the rest', async () => {
    const result = await new CsvProvider({ path: dir }).fetchBars(request('MESSY'));
    expect(result.unparsed.map((u) => [u.line, u.reason])).toEqual([
      [3, 'expected 7 fields, got 4'],
      [4, 'invalid date "2020-13-01": expected a date YYYY-MM-DD'],
      [7, 'expected 7 fields, got 8'],
    ]);
    // Unreadable numbers are passed on as NaN: the ETL rejects them with the column's name.
    const lines = result.rows.map((r) => r.line);
    expect(lines).toEqual([2, 5, 6, 9, 10]);
    expect(result.rows.find((r) => r.line === 5)!.open).toBeNaN();
    expect(result.rows.find((r) => r.line === 6)!.close).toBeNaN();
    expect(result.rows.find((r) => r.line === 9)!.open).toBeNaN();
  });

  it('fails a whole file when it cannot be read as bars at all or holds none', async () => {
    const provider = new CsvProvider({ path: dir });
    await expect(provider.fetchBars(request('EMPTY'))).rejects.toThrow('EMPTY.csv is empty: expected a header and rows');
    await expect(provider.fetchBars(request('BADHEADER'))).rejects.toThrow(
      /BADHEADER.csv: header "when,price" lacks date, open, high, low, close, volume/,
    );
    await expect(provider.fetchBars(request('MISSING'))).rejects.toThrow(DataError);
    await expect(provider.fetchBars(request('HEADERONLY'))).rejects.toThrow(new DataError('HEADERONLY.csv has a header but no data rows'));
  });

  it('reads intraday instants with offsets and refuses bare dates for intraday bars', async () => {
    const result = await new CsvProvider({ path: dir }).fetchBars(request('INTRA', '5m'));
    expect(result.rows.map((r) => new Date(r.ts).toISOString())).toEqual(['2024-03-15T14:30:00.000Z', '2024-03-15T14:35:00.000Z']);
    expect(result.unparsed[0]!.reason).toContain('expected an ISO instant with offset');
  });

  it('returns only rows inside the requested range', async () => {
    const result = await new CsvProvider({ path: dir }).fetchBars({
      symbol: 'OURS',
      interval: '1d',
      from: dateToTs('2020-01-03'),
      to: FAR_FUTURE,
    });
    expect(result.rows.map((r) => r.line)).toEqual([3]);
  });

  it('explains a path that does not exist or holds no CSV files', () => {
    expect(() => new CsvProvider({ path: join(dir, 'nope') })).toThrow(/CSV path .*nope does not exist/);
    const empty = mkdtempSync(join(tmpdir(), 'momentum-csv-empty-'));
    expect(() => new CsvProvider({ path: empty })).toThrow(/no .csv files in/);
    rmSync(empty, { recursive: true });
  });
});

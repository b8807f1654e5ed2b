/**
 * A streamed CSV is written in batches inside its symbol's one transaction: the result is the same
 * as reading the file whole (duplicates across batch boundaries included), a failure after some
 * batches stores nothing, and a file out of time order is read whole.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dateToTs } from '../../src/data/bar.js';
import { ingest, type IngestReport } from '../../src/data/ingest.js';
import { getInstruments } from '../../src/data/price-store.js';
import { CsvProvider } from '../../src/data/providers/csv-provider.js';
import type { BarChunk, BarRequest, BarStream, PriceProvider, ProviderResult } from '../../src/data/providers/price-provider.js';
import { DataError } from '../../src/errors.js';
import { barCount, dailyRow, storeFingerprint } from '../helpers/bars.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const HEADER = 'date,open,high,low,close,adj_close,volume';
const line = (date: string, close: number) => `${date},${close},${close + 1},${close - 1},${close},${close},100`;
const options = { symbols: ['ABC'], interval: '1d' as const, now: () => dateToTs('2024-03-01') };

/** What a report says about its one symbol, without the run's own id. */
const outcomeOf = (report: IngestReport) => {
  const { symbol, status, fetched, inserted, updated, unchanged, rejected, flagged, first, last, error } = report.symbols[0]!;
  return { symbol, status, fetched, inserted, updated, unchanged, rejected, flagged, first, last, error };
};

describe(`ingest in batches (${engineName})`, () => {
  let db: TestDatabase;
  /** The store a whole read fills, for comparison (opened by the tests that compare). */
  let whole: TestDatabase | undefined;
  let folder: string;
  beforeEach(async () => {
    db = await openTestDatabase();
    whole = undefined;
    folder = mkdtempSync(join(tmpdir(), 'momentum-batches-'));
  });
  afterEach(async () => {
    await db.close();
    await whole?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  /** Ingests the file in batches of `batchRows` into db, and whole into another store; both reports. */
  async function both(rows: readonly string[], batchRows: number): Promise<[IngestReport, IngestReport]> {
    writeFileSync(join(folder, 'ABC.csv'), [HEADER, ...rows].join('\n'));
    const batched = await ingest(db, new CsvProvider({ path: folder }), { ...options, batchRows });
    whole = await openTestDatabase();
    const reference = await ingest(whole, new CsvProvider({ path: folder }), { ...options, batchRows: Infinity });
    return [batched, reference];
  }

  it('resolves duplicates across batch boundaries as a whole read does, and a re-run changes nothing', async () => {
    const rows = [
      line('2024-01-02', 10),
      line('2024-01-03', 11),
      line('2024-01-03', 11), // an identical duplicate: one kept
      line('2024-01-03', 11),
      line('2024-01-04', 12),
      line('2024-01-04', 13), // conflicting: none kept
      line('2024-01-05', 14),
      'bad row',
      line('2024-01-08', 30), // a jump: flagged against the previous batch's last bar
      line('2024-01-09', 31),
    ];
    // One time per batch: every duplicate and the jump sit at a batch boundary.
    const [batched, reference] = await both(rows, 1);
    expect(outcomeOf(batched)).toEqual(outcomeOf(reference));
    expect(batched.symbols[0]).toMatchObject({ status: 'ok', inserted: 5 });
    expect(batched.symbols[0]!.rejected).toHaveLength(5);
    expect(batched.symbols[0]!.flagged).toHaveLength(1);
    expect(await storeFingerprint(db)).toEqual(await storeFingerprint(whole!));
    const again = await ingest(db, new CsvProvider({ path: folder }), { ...options, batchRows: 1, full: true });
    expect(again.symbols[0]).toMatchObject({ inserted: 0, updated: 0, unchanged: 5 });
  });

  it('reads a file whose rows go back in time whole, with the same result', async () => {
    const rows = [line('2024-01-04', 12), line('2024-01-02', 10), line('2024-01-04', 12), line('2024-01-03', 11), line('2024-01-03', 15)];
    const [batched, reference] = await both(rows, 2);
    expect(outcomeOf(batched)).toEqual(outcomeOf(reference));
    expect(batched.symbols[0]).toMatchObject({ status: 'ok', inserted: 2 });
    expect(batched.symbols[0]!.notes.join('\n')).toContain('rows out of time order (line 3 goes back in time): read whole');
    expect(await storeFingerprint(db)).toEqual(await storeFingerprint(whole!));
  });

  it('stores nothing of a symbol that fails after some of its batches were written', async () => {
    /** A source that streams two good chunks, then fails as a file read can. */
    class FailingStream implements PriceProvider {
      readonly name = 'failing';
      fetchBars(): Promise<ProviderResult> {
        throw new Error('streams only');
      }
      streamBars(_request: BarRequest): BarStream {
        async function* chunks(): AsyncGenerator<BarChunk> {
          yield { rows: [dailyRow('2024-01-02', 10), dailyRow('2024-01-03', 11)], unparsed: [] };
          yield { rows: [dailyRow('2024-01-04', 12), dailyRow('2024-01-05', 13)], unparsed: [] };
          throw new DataError('cannot read ABC.csv: EIO');
        }
        return { chunks: chunks(), finish: () => ({}) };
      }
    }
    const report = await ingest(db, new FailingStream(), { ...options, batchRows: 1 });
    expect(report.symbols[0]).toMatchObject({ status: 'failed', error: 'cannot read ABC.csv: EIO' });
    expect(await barCount(db)).toBe(0);
    expect(await getInstruments(db)).toEqual([]);
  });

  it('refuses a symbol none of whose rows can be stored, over several batches, storing nothing', async () => {
    const rows = ['01/02/2024,10,11,9,10,10,100', '01/03/2024,10,11,9,10,10,100', '01/04/2024,10,11,9,10,10,100'];
    const [batched, reference] = await both(rows, 1);
    expect(outcomeOf(batched)).toEqual(outcomeOf(reference));
    expect(batched.symbols[0]).toMatchObject({ status: 'failed', fetched: 3 });
    expect(await barCount(db)).toBe(0);
    expect(await getInstruments(db)).toEqual([]);
  });
});

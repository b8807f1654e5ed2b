/**
 * A CSV file much larger than the heap is ingested in batches: the CLI, its heap capped far below
 * what the whole file's rows take as objects, stores every row exactly (issue 15, item 7).
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnvironment, type CliEnvironment } from '../helpers/cli-env.js';
import { runCli } from '../helpers/cli.js';
import { engineName } from '../helpers/test-database.js';

const ROWS = 400_000;
const START = Date.parse('2020-01-01T00:00:00Z');
const MINUTE = 60_000;
/** Reading a symbol whole ran out of this heap at 400,000 rows; batched, the ingest needs ~60 MB (~45 MB of it the CLI's modules). */
const HEAP_MB = 96;

/** Row i of the generated file: prices that stay valid (low <= open, close <= high) and vary per row. */
function rowOf(i: number): { ts: number; open: number; high: number; low: number; close: number; volume: number } {
  const close = 100 + (i % 997) / 100;
  return { ts: START + i * MINUTE, open: close - 0.25, high: close + 0.5, low: close - 0.5, close, volume: 1000 + (i % 50_000) };
}

async function writeRows(file: string): Promise<void> {
  const out = createWriteStream(file);
  out.write('date,open,high,low,close,adj_close,volume\n');
  for (let i = 0; i < ROWS; i++) {
    const r = rowOf(i);
    const line = `${new Date(r.ts).toISOString()},${r.open},${r.high},${r.low},${r.close},${r.close},${r.volume}\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

describe(`a CSV far larger than the heap (${engineName})`, () => {
  let folder: string;
  let cli: CliEnvironment;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'momentum-big-csv-'));
    await writeRows(join(folder, 'BIG.csv'));
    cli = await cliEnvironment();
  });
  afterAll(async () => {
    rmSync(folder, { recursive: true, force: true });
    await cli.dispose();
  });

  it(`stores all ${ROWS} rows with the heap capped at ${HEAP_MB} MB`, async () => {
    const args = ['ingest', '--source', 'csv', '--path', folder, '--interval', '1m', '--from', '2019-12-31'];
    const result = await runCli(args, cli.env, [`--max-old-space-size=${HEAP_MB}`]);
    expect(result.stderr + result.stdout).toContain('(csv, 1m): ok');
    expect(result.code).toBe(0);

    // Every row, exactly: the count, the times, and each row's values summed in a way a lost,
    // duplicated or altered row would change.
    let expectedSum = 0;
    for (let i = 0; i < ROWS; i++) {
      const r = rowOf(i);
      expectedSum += (i % 1000) * (r.open + r.high + r.low + 2 * r.close) + r.volume;
    }
    const stored = await cli.withDb(async (db) => {
      const { rows } = await sql<{ count: number; first: number; last: number; distinct_ts: number; checksum: number }>`
        select count(*)::int as count, min(extract(epoch from ts) * 1000)::float8 as first, max(extract(epoch from ts) * 1000)::float8 as last,
          count(distinct ts)::int as distinct_ts,
          sum((((extract(epoch from ts) * 1000)::bigint - ${START}) / ${MINUTE} % 1000) * (open + high + low + close + adj_close) + volume)::float8 as checksum
        from bars where symbol = 'BIG' and interval = '1m'`.execute(db.kysely);
      return rows[0]!;
    });
    expect(stored).toMatchObject({ count: ROWS, distinct_ts: ROWS, first: START, last: START + (ROWS - 1) * MINUTE });
    expect(stored.checksum).toBeCloseTo(expectedSum, 0);
  });
});

/**
 * Issue 15, item 7: a 1 GB CSV file (one symbol of minute bars, ~13M rows) generated in a scratch
 * folder, ingested by the `momentum` command into a new embedded database with its heap capped at
 * 300 MB, then both deleted. MOMENTUM_BENCH_CSV_MB sets another size (e.g. 100 for a quick look).
 */
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, report, timed } from './bench-utils.js';
import { runCommand } from './command-runs.js';

const MB = 1024 * 1024;
const HEAP_CAP_MB = 300;
/** 1 GB of minute bars spans ~32 years: they start early enough to end before today (later ones are not ingested). */
const START = Date.parse('1990-01-01T00:00:00Z');

/** Writes minute bars until the file reaches `bytes`; returns the number of rows. */
async function writeCsv(file: string, bytes: number): Promise<number> {
  const out = createWriteStream(file);
  out.write('date,open,high,low,close,adj_close,volume\n');
  let written = 0;
  let rows = 0;
  let close = 100;
  while (written < bytes) {
    // A random walk in cents, so the prices look like prices and vary row to row.
    close = Math.max(1, Math.round((close + (Math.random() - 0.5) * 0.2) * 100) / 100);
    const line = `${new Date(START + rows * 60_000).toISOString()},${close},${(close + 0.05).toFixed(2)},${(close - 0.05).toFixed(2)},${close},${close},${1000 + (rows % 9000)}\n`;
    written += line.length;
    rows++;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return rows;
}

export async function benchCsvIngest(): Promise<void> {
  const megabytes = Number(process.env.MOMENTUM_BENCH_CSV_MB ?? 1024);
  console.log(`\nCSV ingest of a ${fmt(megabytes)} MB file (one symbol, minute bars) into the embedded engine`);
  const scratch = mkdtempSync(join(tmpdir(), 'momentum-bench-csv-'));
  try {
    const folder = join(scratch, 'csv');
    const file = join(folder, 'BIG.csv');
    mkdirSync(folder);
    const generated = await timed(() => writeCsv(file, megabytes * MB));
    const rows = generated.result;
    report('generated', `${fmt(rows)} rows, ${fmt(statSync(file).size / MB)} MB in ${generated.seconds.toFixed(1)} s`);
    const args = ['ingest', '--source', 'csv', '--path', folder, '--interval', '1m', '--from', '1989-12-31'];
    const run = runCommand(args, { MOMENTUM_HOME: join(scratch, 'home'), DATABASE_URL: '', MOMENTUM_CONFIG: '' }, 1, [
      `--max-old-space-size=${HEAP_CAP_MB}`,
    ]);
    report(
      'ingest (one process, heap capped)',
      `${run.seconds.toFixed(0)} s, ${fmt(rows / run.seconds)} rows/s (CPU ${run.cpuSeconds.toFixed(0)} s)`,
    );
    report('peak JavaScript heap in use', `${fmt(run.peakHeapMb)} MB`, `< ${HEAP_CAP_MB} MB`);
    report('peak resident memory (the embedded database included)', `${fmt(run.peakRssMb)} MB`);
    if (!run.stdout.includes(`${rows} new`)) throw new Error(`expected ${rows} new bars:\n${run.stdout}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

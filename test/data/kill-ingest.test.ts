/**
 * SIGKILL in the middle of an ingest, then run it again: no partial or duplicate rows, and the
 * store equals one filled by an uninterrupted run.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dateToTs, formatBarTime } from '../../src/data/bar.js';
import { ingest } from '../../src/data/ingest.js';
import { recentRuns } from '../../src/data/ingest-run-store.js';
import { CsvProvider } from '../../src/data/providers/csv-provider.js';
import { generateSyntheticMarket } from '../../src/data/synthetic-market.js';
import { openDatabase } from '../../src/db/database.js';
import { storeFingerprint } from '../helpers/bars.js';
import { cliEnvironment, type CliEnvironment } from '../helpers/cli-env.js';
import { finished, runCli, spawnCli } from '../helpers/cli.js';
import { spawnedProcesses } from '../helpers/processes.js';
import { engineName, openTestDatabase } from '../helpers/test-database.js';

describe(`an ingest killed with SIGKILL (${engineName})`, () => {
  const processes = spawnedProcesses();
  let csv: string;
  let cli: CliEnvironment;

  beforeAll(async () => {
    csv = mkdtempSync(join(tmpdir(), 'momentum-kill-csv-'));
    const market = generateSyntheticMarket({ seed: 5, end: dateToTs('2024-12-31') });
    for (const [symbol, bars] of market.bars) {
      const lines = bars.map((b) => `${formatBarTime(b.ts, '1d')},${b.open},${b.high},${b.low},${b.close},${b.adj_close},${b.volume}`);
      writeFileSync(join(csv, `${symbol}.csv`), `date,open,high,low,close,adj_close,volume\n${lines.join('\n')}\n`);
    }
    cli = await cliEnvironment();
    mkdirSync(cli.home, { recursive: true });
  });
  afterAll(async () => {
    rmSync(csv, { recursive: true, force: true });
    await cli.dispose();
  });

  it('leaves whole symbols only, and a re-run ends equal to an uninterrupted run', async () => {
    const args = ['ingest', '--source', 'csv', '--path', csv, '--concurrency', '1'];
    const child = processes.track(spawnCli(args, cli.env));
    const result = finished(child);
    // Kill as soon as the first symbol is committed: the second symbol's transaction is in flight.
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      child.stderr!.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (/\[1\/12\]/.test(seen)) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('close', () => reject(new Error(`the ingest ended before it could be killed:\n${seen}`)));
    });
    expect((await result).signal).toBe('SIGKILL');

    const rerun = await runCli(args, cli.env);
    expect(rerun.stderr + rerun.stdout).toContain(': ok;');
    expect(rerun.code).toBe(0);

    const killed = await openDatabase({ url: cli.url, home: cli.home });
    const reference = await openTestDatabase();
    try {
      const provider = new CsvProvider({ path: csv });
      await ingest(reference, provider, { symbols: await provider.listSymbols(), interval: '1d' });
      const expected = await storeFingerprint(reference);
      expect(expected.count).toBeGreaterThan(12 * 6000);
      expect(await storeFingerprint(killed)).toEqual(expected);
      const runs = await recentRuns(killed);
      expect(runs.map((r) => r.status)).toEqual(['ok', 'aborted']);
    } finally {
      await killed.close();
      await reference.close();
    }
  });
});

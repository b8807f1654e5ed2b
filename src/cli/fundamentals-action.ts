/**
 * `momentum fundamentals import` (a CSV) and `momentum fundamentals ingest --source yahoo` (a
 * provider): fundamentals checked and stored point in time, and what became of each row.
 */
import type { FundamentalsOutcome } from '../data/fundamentals-ingest.js';
import type { FundamentalsStored } from '../data/fundamentals-import.js';
import { importFundamentals } from '../data/fundamentals-import.js';
import type { FundamentalsSource } from '../data/providers/yahoo-fundamentals.js';
import type { FundamentalProblem } from '../data/validate-fundamentals.js';
import { withLightDatabase, type Output } from './cli-context.js';
import { runProviderIngest } from './provider-ingest.js';

export async function fundamentalsImportAction(flags: { path: string; json?: boolean }, output: Output): Promise<void> {
  await withLightDatabase(async (db) => {
    const report = await importFundamentals(db, flags.path);
    if (flags.json) return output.out(JSON.stringify(report, null, 2));
    for (const line of describeStored(report.file, report, 'line ')) output.out(line);
    if (report.withoutValues.length > 0) output.out(`\nno fundamentals stored for ${report.withoutValues.join(', ')}`);
  });
}

/** Fetches each symbol's fundamentals from the source and stores them (provider-ingest.ts: flags, output, exit code). */
export async function fundamentalsIngestAction(
  flags: { source: string; symbols: string; json?: boolean },
  output: Output,
  createSource: () => Promise<FundamentalsSource> = yahooSource,
): Promise<void> {
  await runProviderIngest(flags, output, {
    kind: 'fundamentals',
    alternative: ' (or fundamentals import for a CSV)',
    ingest: async (db, symbols) => {
      const { ingestFundamentals } = await import('../data/fundamentals-ingest.js');
      return ingestFundamentals(db, await createSource(), symbols);
    },
    describe: describeIngest,
  });
}

async function yahooSource(): Promise<FundamentalsSource> {
  const { YahooFundamentals } = await import('../data/providers/yahoo-fundamentals.js');
  return new YahooFundamentals();
}

/** One line per symbol with its counts, then its flagged, rejected and repeated values. */
export function describeIngest(outcomes: readonly FundamentalsOutcome[]): string[] {
  return outcomes.flatMap((o) => {
    if (o.status === 'failed') return [`${o.symbol}: failed: ${o.error}`];
    if (o.status === 'empty') return [`${o.symbol}: ${o.notes.join('; ')}`];
    return describeStored(o.symbol, o.report, 'value ');
  });
}

function describeStored(title: string, report: FundamentalsStored, item: string): string[] {
  const lines = [
    `${title}: ${report.rows} rows: ${report.stored} stored, ${report.unchanged} unchanged, ${report.flagged.length} flagged, ${report.rejected.length} rejected, ${report.repeated.length} repeated`,
  ];
  const list = (heading: string, problems: readonly FundamentalProblem[]) => {
    if (problems.length === 0) return;
    lines.push(`\n${heading}:`);
    for (const p of problems) lines.push(`  ${item}${p.line}${p.symbol ? ` ${p.symbol}` : ''}: ${p.reason}`);
  };
  list('flagged (stored with the flag)', report.flagged);
  list('rejected', report.rejected);
  list('repeated (stored once)', report.repeated);
  return lines;
}

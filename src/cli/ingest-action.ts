/** `momentum ingest`: plan from the flags, run, print the report (options in data-commands.ts). */
import { ingest, type IngestReport } from '../data/ingest.js';
import { ingestRequestSchema, planIngestRequest, type IngestPlan, type IngestRequest } from '../data/ingest-request.js';
import type { Database } from '../db/database.js';
import { ValidationError } from '../errors.js';
import { withDatabase, type Output } from './cli-context.js';
import { describeOutcome, ingestProgressReporter } from './ingest-progress.js';
import { parseIntegerOption } from './options.js';
import { parseRequest } from '../util/parse-request.js';
import { resolveSymbolFlags } from './spec-flags.js';

export interface IngestFlags {
  source: string;
  symbols?: string;
  universe?: string;
  interval?: string;
  from?: string;
  to?: string;
  path?: string;
  seed?: string;
  full?: boolean;
  concurrency?: string;
  json?: boolean;
}

export async function ingestAction(flags: IngestFlags, output: Output): Promise<void> {
  const plan = await planIngest(flags);
  const report = await withDatabase((db) => runIngest(db, plan, flags.json ?? false, output));
  if (report.status === 'failed') process.exitCode = 1;
  else if (report.status === 'partial') process.exitCode = 2;
}

/**
 * Checks every option before the database is opened, so mistakes fail fast: the flags become the
 * HTTP API's ingest request, checked and planned by the same code (data/ingest-request.ts).
 */
async function planIngest(flags: IngestFlags): Promise<IngestPlan> {
  const { symbols, metadata, interval = '1d' } = resolveSymbolFlags(flags);
  if (symbols?.length === 0) throw new ValidationError('symbols', 'no symbols to ingest');
  const request = parseRequest(ingestRequestSchema, {
    source: flags.source as IngestRequest['source'],
    symbols,
    interval,
    from: flags.from,
    to: flags.to,
    path: flags.path,
    seed: parseIntegerOption(flags.seed, 'seed', 0, 2 ** 32 - 1),
    full: flags.full ?? false,
    concurrency: parseIntegerOption(flags.concurrency, 'concurrency', 1, 64),
  });
  const plan = await planIngestRequest(request, '--symbols or --universe');
  return metadata ? { ...plan, options: { ...plan.options, metadata } } : plan;
}

async function runIngest(db: Database, plan: IngestPlan, json: boolean, output: Output): Promise<IngestReport> {
  const report = await ingest(db, plan.provider, {
    ...plan.options,
    onProgress: json ? undefined : ingestProgressReporter(output, plan.options.interval),
  });
  if (json) output.out(JSON.stringify(report, null, 2));
  else printReport(report, output);
  return report;
}

const SHOWN_ISSUES = 5;

function printReport(report: IngestReport, output: Output): void {
  const t = report.totals;
  output.out(
    `ingest run ${report.runId} (${report.source}, ${report.interval}): ${report.status}; ${t.symbols_ok} symbol(s) ok, ${t.symbols_failed} failed; ` +
      `${t.bars_fetched} rows fetched: ${t.bars_inserted} new, ${t.bars_updated} updated, ${t.bars_unchanged} unchanged, ${t.bars_rejected} rejected, ${t.bars_flagged} flagged`,
  );
  for (const outcome of report.symbols) {
    const issues = [
      ...outcome.rejected.map((i) => ({ ...i, kind: 'rejected' })),
      ...outcome.flagged.map((i) => ({ ...i, kind: 'flagged' })),
    ];
    if (outcome.status === 'failed') output.out(`  ${describeOutcome(outcome, report.interval)}`);
    for (const issue of issues.slice(0, SHOWN_ISSUES)) {
      output.out(
        `  ${outcome.symbol} ${issue.kind}${issue.line === undefined ? '' : ` line ${issue.line}`}${issue.ts ? ` ${issue.ts}` : ''}: ${issue.reason}`,
      );
    }
    if (issues.length > SHOWN_ISSUES)
      output.out(`  ${outcome.symbol}: ${issues.length - SHOWN_ISSUES} more; see momentum data issues --run ${report.runId}`);
    for (const note of outcome.notes) output.out(`  ${outcome.symbol} note: ${note}`);
  }
}

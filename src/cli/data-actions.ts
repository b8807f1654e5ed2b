/** What the data commands do (see data-commands.ts for their options). */
import { resolveUniverse } from '../config.js';
import { normaliseSymbol, parseInterval, type InstrumentInfo, type Interval } from '../data/bar.js';
import { splitText } from '../data/corporate-action.js';
import { listActions } from '../data/corporate-actions-store.js';
import { ingest, type IngestOptions, type IngestReport } from '../data/ingest.js';
import { recentRuns, runIssues } from '../data/ingest-runs.js';
import { dataSummary } from '../data/price-store.js';
import { createProvider } from '../data/providers/create-provider.js';
import type { PriceProvider } from '../data/providers/price-provider.js';
import type { Database } from '../db/database.js';
import { ValidationError } from '../errors.js';
import { formatTable } from '../util/table.js';
import { config, withDatabase, type Output } from './cli-context.js';
import { describeOutcome, ingestProgressReporter } from './ingest-progress.js';
import { parseDateOption, parseIntegerOption, parseList } from './options.js';

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

export async function summaryAction(flags: { interval?: string; symbols?: string; json?: boolean }, output: Output): Promise<void> {
  await withDatabase(async (db, env) => {
    const rows = await dataSummary(db, {
      ...(flags.interval ? { interval: parseInterval(flags.interval) } : {}),
      ...(flags.symbols ? { symbols: parseList(flags.symbols)!.map((s) => s.toUpperCase()) } : {}),
    });
    if (flags.json) return output.out(JSON.stringify(rows, null, 2));
    if (rows.length === 0) return output.out(`no bars stored yet in ${db.location}; run momentum ingest (or npm run demo)`);
    output.out(formatTable(rows, ['symbol', 'interval', 'first', 'last', 'bars', 'sources', 'asset_class', 'name']));
    const synthetic = rows.some((r) => r.sources.includes('synthetic'));
    output.out(
      `\n${rows.length} series, ${rows.reduce((n, r) => n + r.bars, 0)} bars in ${db.location}${env.databaseUrl ? '' : ' (embedded)'}`,
    );
    if (synthetic) output.out('Series from the synthetic source are generated data for demos and tests, not market prices.');
  });
}

export async function actionsAction(raw: string, flags: { json?: boolean }, output: Output): Promise<void> {
  const symbol = normaliseSymbol(raw);
  await withDatabase(async (db) => {
    const events = await listActions(db, symbol);
    if (flags.json) return output.out(JSON.stringify(events, null, 2));
    if (events.length === 0)
      return output.out(
        `no splits or dividends stored for ${symbol}; they come with ingest (Yahoo events, an actions/${symbol}.csv file, or derived from adj_close)`,
      );
    output.out(
      formatTable(
        events.map((e) => ({
          ex_date: e.exDate,
          kind: e.kind,
          value: e.kind === 'split' ? `${splitText(e.value)} (${e.value} new per old)` : `${e.value} a share`,
          source: e.source,
          note: e.note ?? '',
        })),
        ['ex_date', 'kind', 'value', 'source', 'note'],
      ),
    );
    const splits = events.filter((e) => e.kind === 'split').length;
    output.out(`\n${symbol}: ${splits} split(s), ${events.length - splits} dividend(s)`);
  });
}

export async function runsAction(flags: { limit?: string; json?: boolean }, output: Output): Promise<void> {
  const limit = parseIntegerOption(flags.limit, 'limit', 1, 10_000) ?? 20;
  await withDatabase(async (db) => {
    const runs = await recentRuns(db, limit);
    if (flags.json) return output.out(JSON.stringify(runs, null, 2));
    output.out(
      formatTable(
        runs.map((r) => ({
          id: r.id,
          source: r.source,
          interval: r.interval,
          status: r.status,
          started: r.started_at.toISOString(),
          ...r.totals,
          error: r.error,
        })),
        [
          'id',
          'source',
          'interval',
          'status',
          'started',
          'symbols_ok',
          'symbols_failed',
          'bars_inserted',
          'bars_updated',
          'bars_unchanged',
          'bars_rejected',
          'bars_flagged',
          'error',
        ],
      ),
    );
  });
}

export async function issuesAction(flags: { run: string; json?: boolean }, output: Output): Promise<void> {
  const runId = parseIntegerOption(flags.run, 'run', 1, Number.MAX_SAFE_INTEGER)!;
  await withDatabase(async (db) => {
    const issues = await runIssues(db, runId);
    if (flags.json) return output.out(JSON.stringify(issues, null, 2));
    output.out(
      issues.length === 0
        ? `run ${runId} has no rejected or flagged rows`
        : formatTable(issues, ['symbol', 'kind', 'line', 'ts', 'reason']),
    );
  });
}

export function universesAction(output: Output): void {
  const cfg = config();
  const rows = [...cfg.universes.values()].map((u) => ({
    name: u.name,
    symbols: u.members.length,
    interval: u.interval ?? '1d',
    description: u.description ?? '',
  }));
  output.out(formatTable(rows, ['name', 'symbols', 'interval', 'description']));
  output.out(`\nfrom ${cfg.path}`);
}

interface IngestPlan {
  readonly provider: PriceProvider;
  readonly options: Omit<IngestOptions, 'onProgress'>;
}

/** Checks every option before the database is opened, so mistakes fail fast. */
async function planIngest(flags: IngestFlags): Promise<IngestPlan> {
  if (flags.symbols && flags.universe) throw new ValidationError('symbols', 'give --symbols or --universe, not both');
  const provider = createProvider({ source: flags.source, path: flags.path, seed: parseIntegerOption(flags.seed, 'seed', 0, 2 ** 32 - 1) });
  let symbols = parseList(flags.symbols);
  let metadata: Map<string, InstrumentInfo> | undefined;
  let interval: Interval = flags.interval ? parseInterval(flags.interval) : '1d';
  if (flags.universe) {
    const universe = resolveUniverse(config(), flags.universe);
    symbols = universe.members.map((m) => m.symbol);
    metadata = new Map(universe.members.map((m) => [m.symbol, m]));
    if (!flags.interval && universe.interval) interval = universe.interval;
  }
  if (!symbols) {
    if (!provider.listSymbols) throw new ValidationError('symbols', `the ${provider.name} source needs --symbols or --universe`);
    symbols = [...(await provider.listSymbols())];
  }
  if (symbols.length === 0) throw new ValidationError('symbols', 'no symbols to ingest');
  const from = parseDateOption(flags.from, 'from');
  const to = parseDateOption(flags.to, 'to', true);
  if (from !== undefined && to !== undefined && from > to)
    throw new ValidationError('from', `--from ${flags.from} is after --to ${flags.to}`);
  const concurrency = parseIntegerOption(flags.concurrency, 'concurrency', 1, 64) ?? 4;
  return { provider, options: { symbols, interval, from, to, full: flags.full ?? false, concurrency, ...(metadata ? { metadata } : {}) } };
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

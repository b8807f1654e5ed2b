/** What the data commands that read do (see data-commands.ts for their options; ingest is in ingest-action.ts). */
import { normaliseSymbol, parseInterval } from '../data/bar.js';
import { splitText } from '../data/corporate-action.js';
import { listActions } from '../data/corporate-actions-store.js';
import { fundamentalsSummary } from '../data/fundamentals-store.js';
import { qualitativeSummary } from '../data/qualitative-store.js';
import { recentRuns, runIssues } from '../data/ingest-run-store.js';
import { dataSummary } from '../data/price-store.js';
import { ValidationError } from '../errors.js';
import { formatNumber, formatShares } from '../report/report-format.js';
import { formatTable } from '../util/table.js';
import { config, withLightDatabase, type Output } from './cli-context.js';
import { fundamentalsIssuesAction, fundamentalsSummaryText, qualitativeSummaryText } from './data-fundamentals.js';
import { parseIntegerOption, parseList } from './options.js';

export async function summaryAction(flags: { interval?: string; symbols?: string; json?: boolean }, output: Output): Promise<void> {
  const symbols = flags.symbols ? parseList(flags.symbols)!.map((s) => s.toUpperCase()) : undefined;
  await withLightDatabase(async (db, env) => {
    const rows = await dataSummary(db, {
      ...(flags.interval ? { interval: parseInterval(flags.interval) } : {}),
      ...(symbols ? { symbols } : {}),
    });
    const fundamentals = await fundamentalsSummary(db, symbols);
    const qualitative = await qualitativeSummary(db, symbols);
    if (flags.json) return output.out(JSON.stringify({ series: rows, fundamentals, qualitative }, null, 2));
    if (rows.length === 0) output.out(`no bars stored yet in ${db.location}; run momentum ingest (or npm run demo)`);
    else {
      output.out(formatTable(rows, ['symbol', 'interval', 'first', 'last', 'bars', 'sources', 'asset_class', 'name']));
      output.out(
        `\n${rows.length} series, ${rows.reduce((n, r) => n + r.bars, 0)} bars in ${db.location}${env.databaseUrl ? '' : ' (embedded)'}`,
      );
      if (rows.some((r) => r.sources.includes('synthetic')))
        output.out('Series from the synthetic source are generated data for demos and tests, not market prices.');
    }
    for (const line of [...fundamentalsSummaryText(fundamentals), ...qualitativeSummaryText(qualitative)]) output.out(line);
  });
}

export async function actionsAction(raw: string, flags: { json?: boolean }, output: Output): Promise<void> {
  const symbol = normaliseSymbol(raw);
  await withLightDatabase(async (db) => {
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
          value:
            e.kind === 'split' ? `${splitText(e.value)} (${formatShares(e.value)} new per old)` : `${formatNumber(e.value, 4)} a share`,
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
  await withLightDatabase(async (db) => {
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

export async function issuesAction(
  flags: { run?: string; fundamentals?: boolean; universe?: string; json?: boolean },
  output: Output,
): Promise<void> {
  if (flags.fundamentals) {
    if (flags.run !== undefined) throw new ValidationError('run', 'give --run <id> or --fundamentals, not both');
    return fundamentalsIssuesAction(flags, output);
  }
  if (flags.universe !== undefined) throw new ValidationError('universe', '--universe goes with --fundamentals');
  if (flags.run === undefined) throw new ValidationError('run', 'give --run <id> (an ingest run: momentum data runs) or --fundamentals');
  const runId = parseIntegerOption(flags.run, 'run', 1, Number.MAX_SAFE_INTEGER)!;
  await withLightDatabase(async (db) => {
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

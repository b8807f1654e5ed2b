/**
 * The `ingest` job: the delta of every instrument in use, fetched up to the slot.
 *
 * In use: every stored series (symbol x interval, refreshed from the source of its latest bar), the
 * symbols of every portfolio, and the members of the universes named in `args.universes`. New
 * symbols (no bars yet) come from `args.source` (default yahoo) starting at `args.from`. Each
 * (source, interval) group is one src/data ingest run; a symbol that fails never stops the others,
 * and per-symbol failures are counted and listed in the notes (partial success). The run fails
 * only when every symbol failed.
 */
import { z } from 'zod';
import { resolveUniverse } from '../src/config.js';
import { dateToTs, intervalSchema, type InstrumentInfo, type Interval } from '../src/data/bar.js';
import { ingest, type IngestReport } from '../src/data/ingest.js';
import { createProvider, SOURCES } from '../src/data/providers/create-provider.js';
import type { PriceProvider } from '../src/data/providers/price-provider.js';
import { storedSeries } from '../src/data/price-store.js';
import { errorMessage } from '../src/errors.js';
import { portfolioRows } from '../src/portfolio/portfolio-store.js';
import { calendarDateSchema } from '../src/util/calendar-date.js';
import { parseJobArgs } from './job-args.js';
import type { Job, JobContext, JobResult } from './job.js';

const ingestArgsSchema = z.strictObject({
  /** Universes of the configuration file whose members are fetched too. */
  universes: z.array(z.string()).default([]),
  /** Source of symbols that have no stored bars yet. */
  source: z.enum(SOURCES).default('yahoo'),
  /** First date (YYYY-MM-DD) for symbols with no stored bars; default: all the source has. */
  from: calendarDateSchema.optional(),
  /** csv: the file or folder to read; without it, csv series are left alone (noted). */
  csvPath: z.string().optional(),
  /** synthetic: the market's seed (default 42). */
  seed: z.number().int().min(0).optional(),
  /** Only these intervals (default: all in use). */
  intervals: z.array(intervalSchema).optional(),
  /** Symbols fetched at once per source. */
  concurrency: z.number().int().min(1).max(64).default(4),
});

export type IngestArgs = z.output<typeof ingestArgsSchema>;

function parseArgs(args: Readonly<Record<string, unknown>>): IngestArgs {
  return parseJobArgs(ingestArgsSchema, args);
}

export interface IngestJobOptions {
  /** The provider of a source (tests serve Yahoo's format from a local server). Default: createProvider. */
  readonly providerFor?: (source: string, args: IngestArgs) => PriceProvider;
}

interface Group {
  readonly source: string;
  readonly interval: Interval;
  readonly symbols: string[];
  readonly metadata: Map<string, InstrumentInfo>;
}

const COUNT_KEYS = [
  'symbols_ok',
  'symbols_failed',
  'symbols_skipped',
  'bars_fetched',
  'bars_inserted',
  'bars_updated',
  'bars_unchanged',
  'bars_rejected',
  'bars_flagged',
  'ingest_runs',
] as const;

/** @example const job = createIngestJob({ providerFor: () => new SyntheticProvider({ seed: 7 }) }) */
export function createIngestJob(options: IngestJobOptions = {}): Job {
  const providerFor =
    options.providerFor ?? ((source: string, args: IngestArgs) => createProvider({ source, path: args.csvPath, seed: args.seed }));
  const job = async (context: JobContext): Promise<JobResult> => {
    const args = parseArgs(context.args);
    const groups = await seriesGroups(context, args);
    const counts: Record<(typeof COUNT_KEYS)[number], number> = Object.fromEntries(COUNT_KEYS.map((k) => [k, 0])) as never;
    const notes: string[] = [];
    if (groups.length === 0) {
      notes.push('no instruments in use: no stored bars, no portfolios and no args.universes; nothing to fetch');
      return { counts, notes };
    }
    for (const group of groups) {
      const what = `${group.source} ${group.interval}`;
      if (context.signal.aborted) {
        counts.symbols_skipped += group.symbols.length;
        notes.push(`${what}: not fetched, the service is stopping`);
        continue;
      }
      let provider: PriceProvider;
      try {
        provider = providerFor(group.source, args);
      } catch (error) {
        counts.symbols_skipped += group.symbols.length;
        notes.push(`${what}: ${group.symbols.length} symbol(s) not refreshed: ${errorMessage(error)}`);
        continue;
      }
      const report = await ingest(context.db, provider, {
        symbols: group.symbols,
        interval: group.interval,
        from: args.from === undefined ? undefined : dateToTs(args.from),
        to: context.slot.getTime(),
        concurrency: args.concurrency,
        metadata: group.metadata,
      });
      addReport(counts, report);
      notes.push(...reportNotes(report));
    }
    const error =
      counts.symbols_ok === 0 && counts.symbols_failed > 0
        ? `every symbol failed (${counts.symbols_failed}); first: ${notes.find((n) => n.includes(' failed: ')) ?? 'see the notes'}`
        : undefined;
    return { counts, notes, ...(error ? { error } : {}) };
  };
  // Safe to run again: bars are upserted on (symbol, interval, ts) in one transaction per symbol,
  // and each run fetches only what is missing, so a slot whose runner died part way ends complete.
  return Object.assign(job, { checkArgs: (args: Readonly<Record<string, unknown>>) => void parseArgs(args), retrySafe: true });
}

/** The job registered as `ingest`: the real providers. */
export const ingestJob: Job = createIngestJob();

/** Stored series, then portfolio symbols and universe members not stored yet, grouped by (source, interval). */
async function seriesGroups(context: JobContext, args: IngestArgs): Promise<Group[]> {
  const groups = new Map<string, Group>();
  const seen = new Set<string>();
  const add = (symbol: string, interval: Interval, source: string, info?: InstrumentInfo) => {
    if (args.intervals && !args.intervals.includes(interval)) return;
    if (seen.has(`${symbol}|${interval}`)) return;
    seen.add(`${symbol}|${interval}`);
    const key = `${source}|${interval}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { source, interval, symbols: [], metadata: new Map() }));
    group.symbols.push(symbol);
    if (info) group.metadata.set(symbol, info);
  };
  for (const series of await storedSeries(context.db)) add(series.symbol, series.interval, series.source);
  const portfolios = await portfolioRows(context.db, { order: 'id' });
  for (const p of portfolios) for (const symbol of p.symbols) add(symbol, p.interval as Interval, args.source);
  for (const name of args.universes) {
    const universe = resolveUniverse(context.config, name);
    for (const member of universe.members) add(member.symbol, universe.interval ?? '1d', args.source, member);
  }
  return [...groups.values()];
}

function addReport(counts: Record<(typeof COUNT_KEYS)[number], number>, report: IngestReport): void {
  const t = report.totals;
  counts.ingest_runs += 1;
  counts.symbols_ok += t.symbols_ok;
  counts.symbols_failed += t.symbols_failed;
  counts.bars_fetched += t.bars_fetched;
  counts.bars_inserted += t.bars_inserted;
  counts.bars_updated += t.bars_updated;
  counts.bars_unchanged += t.bars_unchanged;
  counts.bars_rejected += t.bars_rejected;
  counts.bars_flagged += t.bars_flagged;
}

function reportNotes(report: IngestReport): string[] {
  const t = report.totals;
  const notes = [
    `${report.source} ${report.interval}: ingest run ${report.runId} ${report.status}, ${t.symbols_ok} ok, ${t.symbols_failed} failed, ${t.bars_inserted} new bar(s)`,
  ];
  for (const outcome of report.symbols) {
    if (outcome.status === 'failed') notes.push(`${outcome.symbol} (${report.source} ${report.interval}) failed: ${outcome.error}`);
  }
  if (t.bars_rejected + t.bars_flagged > 0) {
    notes.push(`${t.bars_rejected} rejected and ${t.bars_flagged} flagged row(s): momentum data issues --run ${report.runId}`);
  }
  return notes;
}

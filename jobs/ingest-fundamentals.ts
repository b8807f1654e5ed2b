/**
 * The `ingest-fundamentals` job: the fundamentals of the instruments in use, only what is new.
 *
 * In use, as for the `ingest` job: the symbols of stored series, of every portfolio and of the
 * universes named in `args.universes` (and `args.symbols`), less the synthetic market's. A symbol
 * with fundamentals from the source is asked only from its latest stored period end less
 * RESTATED_WITHIN_DAYS (Yahoo restates recent periods); storing is insert-if-new anyway
 * (fundamentals-store.ts), so what is already stored is counted unchanged. Each symbol is its own
 * outcome (fundamentals-ingest.ts): one failing (a 429, a crumb error) is a note and the others are
 * stored; one with none (an ETF, a currency) is stated. Then, for the same symbols, the qualitative
 * data (analysts' actions, recommendation counts, earnings, headlines: qualitative-ingest.ts), unless
 * `args.qualitative` is false; what is stored already is skipped. The run fails when every symbol
 * failed one of the two parts (the source is down for it), keeping the counts.
 */
import { z } from 'zod';
import { resolveUniverse } from '../src/config.js';
import { isValidSymbol, normaliseSymbol } from '../src/data/bar.js';
import { ingestFundamentals, type FundamentalsOutcome } from '../src/data/fundamentals-ingest.js';
import { latestPeriodEnds } from '../src/data/fundamentals-store.js';
import type { QualitativeSource } from '../src/data/providers/yahoo-qualitative.js';
import { ingestQualitative, type QualitativeOutcome } from '../src/data/qualitative-ingest.js';
import type { Database } from '../src/db/database.js';
import { storedSeries } from '../src/data/price-store.js';
import type { FundamentalsSource } from '../src/data/providers/yahoo-fundamentals.js';
import { SYNTHETIC_SYMBOLS } from '../src/data/synthetic-market.js';
import { portfolioRows } from '../src/portfolio/portfolio-store.js';
import { parseJobArgs } from './job-args.js';
import type { Job, JobContext, JobResult } from './job.js';

/** Days before a symbol's latest stored period end that are asked for again: restatements of the last year or so. */
export const RESTATED_WITHIN_DAYS = 400;
const DAY_MS = 86_400_000;

const argsSchema = z.strictObject({
  /** Universes of the configuration file whose members are fetched too. */
  universes: z.array(z.string()).default([]),
  /** Symbols fetched too. */
  symbols: z
    .array(z.string().refine(isValidSymbol, 'invalid symbol: use the way Yahoo writes it, e.g. AAPL, RELIANCE.NS'))
    .default([])
    .transform((list) => list.map((s) => normaliseSymbol(s))),
  /** Also fetch the qualitative data (default true). */
  qualitative: z.boolean().default(true),
});

type Args = z.output<typeof argsSchema>;

const parseArgs = (args: Readonly<Record<string, unknown>>): Args => parseJobArgs(argsSchema, args);

export interface IngestFundamentalsJobOptions {
  /** The source (tests serve Yahoo's format from a local server). Default: YahooFundamentals. */
  readonly source?: () => Promise<FundamentalsSource>;
  /** The qualitative data's source. Default: YahooQualitative. */
  readonly qualitative?: () => Promise<QualitativeSource>;
}

/** @example const job = createIngestFundamentalsJob({ source: async () => new YahooFundamentals({ fetch: stub.fetch }) }) */
export function createIngestFundamentalsJob(options: IngestFundamentalsJobOptions = {}): Job {
  const sourceOf = options.source ?? yahooSource;
  const qualitativeOf = options.qualitative ?? yahooQualitative;
  const job = async (context: JobContext): Promise<JobResult> => {
    const args = parseArgs(context.args);
    const members = args.universes.flatMap((name) => resolveUniverse(context.config, name).members.map((m) => m.symbol));
    const symbols = await symbolsInUse(context.db, [...args.symbols, ...members]);
    if (symbols.length === 0)
      return {
        counts: countsOf([]),
        notes: ['no instruments in use: no stored bars, no portfolios, no args.universes or args.symbols; nothing to fetch'],
      };
    const source = await sourceOf();
    const latest = await latestPeriodEnds(context.db, symbols, source.name);
    const from = new Map([...latest].map(([symbol, end]) => [symbol, Date.parse(`${end}T00:00:00Z`) - RESTATED_WITHIN_DAYS * DAY_MS]));
    const outcomes = await ingestFundamentals(context.db, source, symbols, { from, signal: context.signal });
    const counts = countsOf(outcomes);
    const notes = [
      `${source.name}: ${symbols.length} symbol(s), ${latest.size} asked only from ${RESTATED_WITHIN_DAYS} days before their latest stored period`,
      ...outcomes.flatMap(noteOf),
    ];
    if (counts.values_flagged > 0) notes.push(`${counts.values_flagged} value(s) stored flagged: momentum data issues --fundamentals`);
    const qualitative = args.qualitative
      ? await ingestQualitative(context.db, await qualitativeOf(), symbols, { signal: context.signal })
      : [];
    notes.push(...qualitative.flatMap(qualitativeNoteOf));
    const error = allFailed(outcomes, 'every symbol failed') ?? allFailed(qualitative, "every symbol's qualitative data failed");
    return { counts: { ...counts, ...qualitativeCountsOf(qualitative) }, notes, ...(error ? { error } : {}) };
  };
  // Safe to run again: a value already stored is found unchanged, never stored twice.
  return Object.assign(job, { checkArgs: (args: Readonly<Record<string, unknown>>) => void parseArgs(args), retrySafe: true });
}

/** The job registered as `ingest-fundamentals`: Yahoo. */
export const ingestFundamentalsJob: Job = createIngestFundamentalsJob();

async function yahooQualitative(): Promise<QualitativeSource> {
  const { YahooQualitative } = await import('../src/data/providers/yahoo-qualitative.js');
  return new YahooQualitative();
}

async function yahooSource(): Promise<FundamentalsSource> {
  const { YahooFundamentals } = await import('../src/data/providers/yahoo-fundamentals.js');
  return new YahooFundamentals();
}

/**
 * The symbols the job fetches: of stored series and of portfolios, and `extra` (the job's
 * universes' and symbols), less the synthetic market's. `momentum data issues --fundamentals`
 * names those without fundamentals.
 */
export async function symbolsInUse(db: Database, extra: readonly string[]): Promise<string[]> {
  const symbols = new Set(extra);
  for (const series of await storedSeries(db)) symbols.add(series.symbol);
  for (const portfolio of await portfolioRows(db, { order: 'id' })) for (const symbol of portfolio.symbols) symbols.add(symbol);
  for (const symbol of SYNTHETIC_SYMBOLS) symbols.delete(symbol);
  return [...symbols].sort();
}

/** Symbols by outcome (stored: some value new; unchanged: all found stored) and values by fate. */
function countsOf(outcomes: readonly FundamentalsOutcome[]) {
  const counts = {
    symbols_stored: 0,
    symbols_unchanged: 0,
    symbols_empty: 0,
    symbols_failed: 0,
    values_stored: 0,
    values_unchanged: 0,
    values_flagged: 0,
    values_rejected: 0,
  };
  for (const o of outcomes) {
    if (o.status !== 'stored') {
      counts[o.status === 'empty' ? 'symbols_empty' : 'symbols_failed'] += 1;
      continue;
    }
    counts[o.report.stored > 0 ? 'symbols_stored' : 'symbols_unchanged'] += 1;
    counts.values_stored += o.report.stored;
    counts.values_unchanged += o.report.unchanged;
    counts.values_flagged += o.report.flagged.length;
    counts.values_rejected += o.report.rejected.length;
  }
  return counts;
}

function noteOf(outcome: FundamentalsOutcome): string[] {
  if (outcome.status === 'failed') return [`${outcome.symbol} failed: ${outcome.error}`];
  if (outcome.status === 'empty') return [`${outcome.symbol}: ${outcome.notes.join('; ')} (stated, not an error)`];
  const r = outcome.report;
  return r.rejected.length > 0 ? [`${outcome.symbol}: ${r.rejected.length} value(s) rejected, e.g. ${r.rejected[0]!.reason}`] : [];
}

/** The run's error when every symbol of a part failed (none when the part fetched nothing). */
function allFailed(outcomes: readonly (FundamentalsOutcome | QualitativeOutcome)[], what: string): string | undefined {
  const failed = outcomes.filter((o) => o.status === 'failed');
  if (failed.length === 0 || failed.length < outcomes.length) return undefined;
  return `${what} (${failed.length}); first: ${failed[0]!.symbol} failed: ${failed[0]!.error}`;
}

/** Qualitative symbols by outcome and the new items of each kind. */
function qualitativeCountsOf(outcomes: readonly QualitativeOutcome[]) {
  const counts = {
    qualitative_stored: 0,
    qualitative_empty: 0,
    qualitative_failed: 0,
    actions_new: 0,
    trends_new: 0,
    earnings_new: 0,
    headlines_new: 0,
  };
  for (const o of outcomes) {
    if (o.status !== 'stored') {
      counts[o.status === 'empty' ? 'qualitative_empty' : 'qualitative_failed'] += 1;
      continue;
    }
    counts.qualitative_stored += 1;
    counts.actions_new += o.stored.actions;
    counts.trends_new += o.stored.trends;
    counts.earnings_new += o.stored.earnings;
    counts.headlines_new += o.stored.headlines;
  }
  return counts;
}

function qualitativeNoteOf(outcome: QualitativeOutcome): string[] {
  if (outcome.status === 'failed') return [`${outcome.symbol} qualitative data failed: ${outcome.error}`];
  if (outcome.status === 'empty') return [`${outcome.symbol}: no qualitative data (stated, not an error)`];
  return [];
}

/**
 * The main job for a new user (`npm run demo`): offline, on the embedded database unless
 * DATABASE_URL is set. The pipeline so far: ingest the seeded synthetic market (a delta after the
 * first run), then backtest every strategy of the library on it and store the results. Later
 * stages (gates, portfolios, monitoring, reports) extend this.
 */
import { parseBacktestSpec } from '../backtest/backtest-spec.js';
import { storeBacktest } from '../backtest/backtest-store.js';
import type { BacktestMetrics } from '../backtest/metrics.js';
import { runBacktest } from '../backtest/run-backtest.js';
import { dateToTs } from '../data/bar.js';
import { ingest, type IngestProgress, type IngestReport } from '../data/ingest.js';
import { dataSummary, type SummaryRow } from '../data/price-store.js';
import { SyntheticProvider } from '../data/providers/synthetic-provider.js';
import { SYNTHETIC_START, SYNTHETIC_SYMBOLS } from '../data/synthetic-market.js';
import type { Database } from '../db/database.js';
import { STRATEGIES } from '../strategies/registry.js';

export interface DemoOptions {
  readonly seed?: number;
  readonly now?: () => number;
  readonly onProgress?: (event: IngestProgress) => void;
}

export interface DemoBacktest {
  readonly id: number;
  readonly strategy: string;
  readonly title: string;
  readonly metrics: BacktestMetrics;
}

export interface DemoResult {
  readonly ingest: IngestReport;
  readonly summary: readonly SummaryRow[];
  readonly backtests: readonly DemoBacktest[];
}

/** The demo's backtests trade from here; the years before warm up the signals. */
export const DEMO_TRADING_START = '2003-01-02';
export const DEMO_BENCHMARK = 'SYN-EQ-US';

export async function runDemo(db: Database, options: DemoOptions = {}): Promise<DemoResult> {
  const provider = new SyntheticProvider(options.seed === undefined ? {} : { seed: options.seed });
  const report = await ingest(db, provider, {
    symbols: SYNTHETIC_SYMBOLS,
    interval: '1d',
    from: dateToTs(SYNTHETIC_START),
    ...(options.now ? { now: options.now } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const summary = await dataSummary(db, { symbols: report.symbols.map((s) => s.symbol), interval: '1d' });
  const backtests: DemoBacktest[] = [];
  for (const strategy of STRATEGIES) {
    const spec = parseBacktestSpec({
      strategy: strategy.name,
      universe: 'synthetic',
      symbols: [...SYNTHETIC_SYMBOLS],
      from: DEMO_TRADING_START,
      benchmark: DEMO_BENCHMARK,
    });
    const outcome = await runBacktest(db, spec);
    backtests.push({ id: await storeBacktest(db, outcome), strategy: strategy.name, title: strategy.title, metrics: outcome.metrics });
  }
  return { ingest: report, summary, backtests };
}

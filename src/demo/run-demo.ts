/**
 * The main job for a new user (`npm run demo`): offline, on the embedded database unless
 * DATABASE_URL is set. The pipeline so far: ingest the seeded synthetic market (a delta after the
 * first run); backtest every strategy of the library in-sample; judge each against the default
 * gates; simulate the ones that pass on the years after the in-sample period; then (demo-portfolios.ts)
 * model portfolios of the best-evidenced one, rebalanced, monitored and reported by mail.
 *
 * The demo chooses among strategies, so it records its choices as trials (trial-families.ts): the
 * in-sample backtests of every strategy are one selection family, and each is judged in it (its
 * deflated Sharpe ratio counts every strategy tried, not one); the out-of-sample runs it then
 * picks the best of are another.
 */
import { parseBacktestSpec } from '../backtest/backtest-spec.js';
import { storeBacktest } from '../backtest/backtest-store.js';
import type { BacktestMetrics } from '../backtest/metrics.js';
import { runBacktest } from '../backtest/run-backtest.js';
import { dateToTs, type InstrumentInfo } from '../data/bar.js';
import { ingest, type IngestProgress, type IngestReport } from '../data/ingest.js';
import { dataSummary, type SummaryRow } from '../data/price-store.js';
import type { PriceProvider } from '../data/providers/price-provider.js';
import { SyntheticProvider } from '../data/providers/synthetic-provider.js';
import { SYNTHETIC_START, SYNTHETIC_SYMBOLS } from '../data/synthetic-market.js';
import type { Environment } from '../config.js';
import type { Database } from '../db/database.js';
import { DEFAULT_GATE_SETS } from '../research/gate-set.js';
import { gateBacktests, type StoredGateResult } from '../research/gate-runner.js';
import { simulateOutOfSample, type SimulationResult } from '../research/simulate.js';
import { recordSelection } from '../research/trial-families.js';
import type { StoredTrialFamily } from '../backtest/trial-store.js';
import { getStrategy, STRATEGIES } from '../strategies/registry.js';
import { runDemoPortfolios, type DemoPortfolioResult } from './demo-portfolios.js';

/** Another market than the synthetic one: `momentum demo --source yahoo --universe NAME`. */
export interface DemoMarket {
  readonly provider: PriceProvider;
  readonly universe: string;
  readonly symbols: readonly string[];
  readonly metadata?: ReadonlyMap<string, InstrumentInfo>;
}

export interface DemoOptions {
  /** Default: the seeded synthetic market. */
  readonly market?: DemoMarket;
  /** Where the outbox and reports go; without it the demo stops after the simulations. */
  readonly env?: Environment;
  readonly seed?: number;
  readonly now?: () => number;
  readonly onProgress?: (event: IngestProgress) => void;
}

export interface DemoBacktest {
  readonly id: number;
  readonly strategy: string;
  readonly title: string;
  readonly metrics: BacktestMetrics;
  /** Judged in the selection family of all the demo's strategies (`gate.statistics.trials` of them). */
  readonly gate: StoredGateResult;
  /** Out of sample, for the ones that passed their gates. */
  readonly simulation: SimulationResult | null;
}

export interface DemoResult {
  readonly ingest: IngestReport;
  readonly summary: readonly SummaryRow[];
  readonly backtests: readonly DemoBacktest[];
  /** The choices the demo made by code, as trial families: among the strategies in sample, and among their out-of-sample runs. */
  readonly selections: { readonly inSample: StoredTrialFamily; readonly outOfSample: StoredTrialFamily | null };
  readonly portfolios: DemoPortfolioResult | null;
}

/** The demo's backtests trade from here (earlier years warm up the signals) to the in-sample end. */
export const DEMO_TRADING_START = '2003-01-02';
export const DEMO_IN_SAMPLE_END = '2018-12-31';
export const DEMO_BENCHMARK = 'SYN-EQ-US';
/** The name of the demo's choice among strategies in the trial registry. */
export const DEMO_SELECTION = 'demo';

export async function runDemo(db: Database, options: DemoOptions = {}): Promise<DemoResult> {
  const market: DemoMarket = options.market ?? {
    provider: new SyntheticProvider(options.seed === undefined ? {} : { seed: options.seed }),
    universe: 'synthetic',
    symbols: SYNTHETIC_SYMBOLS,
  };
  const report = await ingest(db, market.provider, {
    symbols: market.symbols,
    interval: '1d',
    from: dateToTs(SYNTHETIC_START),
    ...(market.metadata ? { metadata: new Map(market.metadata) } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const benchmark = ['SPY', DEMO_BENCHMARK].find((s) => market.symbols.includes(s)) ?? null;
  const summary = await dataSummary(db, { symbols: report.symbols.map((s) => s.symbol), interval: '1d' });
  const gates = DEFAULT_GATE_SETS.default!;
  const candidates: Omit<DemoBacktest, 'gate' | 'simulation'>[] = [];
  // The candidates are the strategies; a baseline (buy-and-hold) is what they are measured against.
  // The synthetic market has prices only: strategies reading fundamentals or events would hold cash.
  for (const strategy of STRATEGIES.filter((s) => !s.baseline && !s.data)) {
    const spec = parseBacktestSpec({
      strategy: strategy.name,
      universe: market.universe,
      symbols: [...market.symbols],
      from: DEMO_TRADING_START,
      to: DEMO_IN_SAMPLE_END,
      benchmark,
    });
    const outcome = await runBacktest(db, spec);
    candidates.push({ id: await storeBacktest(db, outcome), strategy: strategy.name, title: strategy.title, metrics: outcome.metrics });
  }
  // Every strategy is a candidate of the choice below: each is judged among all of them.
  const inSample = await recordSelection(
    db,
    DEMO_SELECTION,
    candidates.map((c) => c.id),
  );
  const verdicts = await gateBacktests(
    db,
    candidates.map((c) => c.id),
    'default',
    gates,
  );
  const backtests: DemoBacktest[] = [];
  for (const [i, candidate] of candidates.entries()) {
    const gate = verdicts[i]!;
    const simulation = gate.passed
      ? await simulateOutOfSample(db, { backtestId: candidate.id, gates: { name: 'default', set: gates } })
      : null;
    backtests.push({ ...candidate, gate, simulation });
  }
  // The portfolios follow the best out-of-sample result: a choice among those runs too.
  const simulated = backtests.flatMap((b) => (b.simulation ? [b.simulation.oosBacktestId] : []));
  const outOfSample = simulated.length > 0 ? await recordSelection(db, `${DEMO_SELECTION} (out of sample)`, simulated) : null;
  const lastBar = summary.reduce((last, row) => (row.last > last ? row.last : last), '');
  const portfolios = options.env
    ? await runDemoPortfolios(
        db,
        options.env,
        backtests.map((b) => ({
          backtestId: b.id,
          strategy: b.strategy,
          passed: b.gate.passed,
          oosSharpe: b.simulation?.comparison.outOfSample.sharpe ?? null,
          sharpe: b.metrics.returns.sharpe,
          monthly: getStrategy(b.strategy).paramsSchema('1d').parse({}).rebalance === 'month-end',
        })),
        {
          lastBar: lastBar.slice(0, 10),
          gates: { name: 'default', set: gates },
          universe: market.universe,
          benchmark: benchmark ?? market.symbols[0]!,
        },
      )
    : null;
  return { ingest: report, summary, backtests, selections: { inSample, outOfSample }, portfolios };
}

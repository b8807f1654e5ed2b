/**
 * The `gates` job: for each followed strategy (a distinct strategy configuration of the portfolios
 * table), re-run its backtest on fresh data and gate it, then simulate its reference backtest out of
 * sample on the data that arrived after the reference period.
 *
 * - The fresh backtest is the reference backtest's spec (or, without one, the portfolio's strategy,
 *   params, symbols, interval and costs) with no end date: it runs to the latest stored bar, is
 *   stored, and is judged by the portfolio's gate set (or `args.gates` for all).
 * - The simulation is src/research's: only a reference that passed its gates is simulated unless the
 *   portfolio ignores gates; no data after the reference period yet is a note, not a failure.
 * - One strategy failing never stops the others; the run fails only when every one failed.
 */
import { z } from 'zod';
import { parseBacktestSpec, type BacktestSpec, type BacktestSpecInput } from '../src/backtest/backtest-spec.js';
import { getBacktest, storeBacktest } from '../src/backtest/backtest-store.js';
import { runBacktest } from '../src/backtest/run-backtest.js';
import { trialCount } from '../src/backtest/trial-registry.js';
import { DataError, ValidationError, errorMessage } from '../src/errors.js';
import { resolveGateSet } from '../src/research/gate-set.js';
import { gateBacktest } from '../src/research/gate-runner.js';
import { simulateOutOfSample } from '../src/research/simulate.js';
import { parseJobArgs } from './job-args.js';
import type { Job, JobContext, JobResult } from './job.js';

const gatesArgsSchema = z.strictObject({
  /** The gate set (configuration file `gates`, or the built-in default/strict); default: each portfolio's own. */
  gates: z.string().min(1).optional(),
  /** Only the portfolios with these names (default: all). */
  portfolios: z.array(z.string()).optional(),
  /** Simulate reference backtests out of sample (default true). */
  simulate: z.boolean().default(true),
});

type GatesArgs = z.output<typeof gatesArgsSchema>;

function parseArgs(args: Readonly<Record<string, unknown>>): GatesArgs {
  return parseJobArgs(gatesArgsSchema, args);
}

interface PortfolioRow {
  readonly name: string;
  readonly strategy: string;
  readonly params: Record<string, unknown>;
  readonly universe: string | null;
  readonly symbols: string[];
  readonly interval: string;
  readonly backtest_id: number | null;
  readonly costs: Record<string, unknown>;
  readonly ignore_gates: boolean;
  readonly gate_set: string;
}

/** Portfolios that follow the same configuration share one backtest and one simulation. */
interface FollowedStrategy {
  readonly portfolios: string[];
  readonly row: PortfolioRow;
}

async function followedStrategies(context: JobContext, only: readonly string[] | undefined): Promise<FollowedStrategy[]> {
  let query = context.db.kysely
    .selectFrom('portfolios')
    .select(['name', 'strategy', 'params', 'universe', 'symbols', 'interval', 'backtest_id', 'costs', 'ignore_gates', 'gate_set'])
    .orderBy('id');
  if (only) query = query.where('name', 'in', only.length > 0 ? only : ['']);
  const rows = (await query.execute()).map((r) => ({ ...r, backtest_id: r.backtest_id === null ? null : Number(r.backtest_id) }));
  const byKey = new Map<string, FollowedStrategy>();
  for (const row of rows) {
    const key = JSON.stringify([
      row.backtest_id,
      row.strategy,
      row.params,
      [...row.symbols].sort(),
      row.interval,
      row.costs,
      row.ignore_gates,
      row.gate_set,
    ]);
    const known = byKey.get(key);
    if (known) known.portfolios.push(row.name);
    else byKey.set(key, { portfolios: [row.name], row });
  }
  return [...byKey.values()];
}

/** The portfolio's own configuration as a backtest spec over all the data. */
function portfolioSpec(row: PortfolioRow): BacktestSpec {
  const costs = Object.fromEntries(Object.entries(row.costs).filter(([k]) => ['bps', 'slippageBps', 'fixedFee'].includes(k)));
  return parseBacktestSpec({
    strategy: row.strategy,
    params: row.params as BacktestSpecInput['params'],
    universe: row.universe,
    symbols: row.symbols,
    interval: row.interval as BacktestSpec['interval'],
    costs,
  });
}

const fixed = (x: number | null | undefined) => (x === null || x === undefined ? '-' : x.toFixed(2));

/** @example await gatesJob(context) // { counts: { strategies: 2, backtests: 2, passed: 1, ... }, notes: [...] } */
export const gatesJob: Job = Object.assign(
  async (context: JobContext): Promise<JobResult> => {
    const args = parseArgs(context.args);
    // An unknown set named in args fails the run; one named by a portfolio fails that portfolio only.
    const gateSet = (name: string) => ({ name, set: resolveGateSet(context.config.gates, name) });
    const forced = args.gates === undefined ? undefined : gateSet(args.gates);
    const strategies = await followedStrategies(context, args.portfolios);
    const counts = {
      portfolios: 0,
      strategies: strategies.length,
      backtests: 0,
      passed: 0,
      failed_gates: 0,
      simulations: 0,
      not_simulated: 0,
      errors: 0,
    };
    const notes: string[] = [];
    if (strategies.length === 0) {
      notes.push(
        args.portfolios
          ? `no portfolio named ${args.portfolios.join(', ')}: nothing to gate`
          : 'no portfolios: no strategy is followed, nothing to gate',
      );
      return { counts, notes };
    }
    for (const followed of strategies) {
      const label = followed.portfolios.join(', ');
      counts.portfolios += followed.portfolios.length;
      if (context.signal.aborted) {
        notes.push(`${label}: not gated, the service is stopping`);
        counts.errors += 1;
        continue;
      }
      try {
        const row = followed.row;
        const gates = forced ?? gateSet(row.gate_set);
        const reference = row.backtest_id === null ? undefined : await getBacktest(context.db, row.backtest_id);
        const spec = reference ? { ...reference.spec, to: null } : portfolioSpec(row);
        const outcome = await runBacktest(context.db, spec);
        const freshId = await storeBacktest(context.db, outcome);
        counts.backtests += 1;
        const verdict = await gateBacktest(context.db, freshId, gates.name, gates.set);
        counts[verdict.passed ? 'passed' : 'failed_gates'] += 1;
        notes.push(
          `${label}: backtest ${freshId} (${spec.strategy}, ${outcome.metrics.period.start} to ${outcome.metrics.period.end}, Sharpe ${fixed(outcome.metrics.returns.sharpe)}) ${verdict.passed ? 'passed' : 'FAILED'} the ${gates.name} gates (${trialCount(verdict.statistics.trials)})`,
        );
        if (!reference) {
          if (args.simulate) notes.push(`${label}: no reference backtest, so nothing to simulate out of sample`);
          continue;
        }
        if (!args.simulate) continue;
        try {
          const simulation = await simulateOutOfSample(context.db, { backtestId: reference.id, gates, ignoreGates: row.ignore_gates });
          counts.simulations += 1;
          const c = simulation.comparison;
          notes.push(
            `${label}: simulation ${simulation.simulationId} of backtest ${reference.id} out of sample (${c.outOfSample.period}): Sharpe ${fixed(c.outOfSample.sharpe)} vs ${fixed(c.inSample.sharpe)} in sample${simulation.ignoredGates ? ' (its gates failed; simulated because the portfolio ignores gates)' : ''}`,
          );
        } catch (error) {
          // No data after the reference period yet, or a reference that failed its gates: worth a note.
          if (!(error instanceof DataError || error instanceof ValidationError)) throw error;
          counts.not_simulated += 1;
          notes.push(`${label}: backtest ${reference.id} not simulated out of sample: ${errorMessage(error)}`);
        }
      } catch (error) {
        counts.errors += 1;
        notes.push(`${label}: ${errorMessage(error)}`);
      }
    }
    const error = counts.errors === strategies.length ? `every followed strategy failed (${counts.errors}); see the notes` : undefined;
    return { counts, notes, ...(error ? { error } : {}) };
  },
  {
    checkArgs: (args: Readonly<Record<string, unknown>>) => void parseArgs(args),
    // Safe to run again: it stores a fresh backtest and verdict (and a simulation) per followed
    // strategy, read as "the latest"; a second run on the same data stores the same figures again
    // and changes no portfolio, reference backtest or mail.
    retrySafe: true,
  },
);

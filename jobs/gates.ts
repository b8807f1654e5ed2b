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
import { getBacktest, storeBacktest } from '../src/backtest/backtest-store.js';
import { runBacktest } from '../src/backtest/run-backtest.js';
import { trialCount } from '../src/backtest/trial-registry.js';
import { DataError, ValidationError, errorMessage } from '../src/errors.js';
import { followedStrategies, portfolioBacktestSpec } from '../src/portfolio/followed-strategies.js';
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

const fixed = (x: number | null | undefined) => (x === null || x === undefined ? '-' : x.toFixed(2));

/** @example await gatesJob(context) // { counts: { strategies: 2, backtests: 2, passed: 1, ... }, notes: [...] } */
export const gatesJob: Job = Object.assign(
  async (context: JobContext): Promise<JobResult> => {
    const args = parseArgs(context.args);
    // An unknown set named in args fails the run; one named by a portfolio fails that portfolio only.
    const gateSet = (name: string) => ({ name, set: resolveGateSet(context.config.gates, name) });
    const forced = args.gates === undefined ? undefined : gateSet(args.gates);
    const strategies = await followedStrategies(context.db, args.portfolios);
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
        const gates = forced ?? gateSet(row.gateSet);
        const reference = row.backtestId === null ? undefined : await getBacktest(context.db, row.backtestId);
        const spec = reference ? { ...reference.spec, to: null } : portfolioBacktestSpec(row);
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
          const simulation = await simulateOutOfSample(context.db, { backtestId: reference.id, gates, ignoreGates: row.ignoreGates });
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

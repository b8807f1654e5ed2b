/**
 * The `gates` job through the run path, on synthetic data on the engine under test: the followed
 * strategies are those of the portfolios table; each is backtested again on all the data and gated,
 * and its reference backtest simulated out of sample. Results are compared with src/'s functions
 * called directly.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatesJob } from '../../jobs/gates.js';
import type { JobRun } from '../../jobs/job.js';
import { getBacktest } from '../../src/backtest/backtest-store.js';
import { runBacktest } from '../../src/backtest/run-backtest.js';
import type { MomentumConfig } from '../../src/config.js';
import { listSimulations } from '../../src/research/simulate.js';
import { SYNTHETIC_SYMBOLS as SYMBOLS, storeSyntheticReference } from '../helpers/synthetic-reference.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { configWith, runManualSlot } from './service-helpers.js';

describe(`the gates job (${engineName})`, () => {
  let db: TestDatabase;
  let config: MomentumConfig;
  let referenceId: number;
  let slot = Date.parse('2015-01-05T00:00:00Z');

  async function runGates(args: Record<string, unknown>): Promise<JobRun> {
    slot += 60_000;
    const outcome = await runManualSlot(db, config, 'gates', gatesJob, args, new Date(slot));
    if (outcome.kind !== 'ran') throw new Error(`expected a run, got ${outcome.kind}`);
    return outcome.run;
  }

  const portfolio = (name: string, fields: Record<string, unknown>) => ({
    name,
    params: '{}',
    universe: null,
    symbols: JSON.stringify(SYMBOLS),
    interval: '1d',
    backtest_id: null,
    optimizer: 'none' as const,
    mode: 'lumpsum' as const,
    amount: 100_000,
    sip: sql<string>`null`,
    currency: 'USD',
    lot_size: 1,
    ignore_gates: false,
    gate_set: 'lenient',
    max_data_age_days: 7,
    costs: JSON.stringify({ bps: 5, slippageBps: 5, fixedFee: 0 }),
    strategy: 'xs-momentum',
    ...fields,
  });

  beforeAll(async () => {
    db = await openTestDatabase();
    config = configWith({ entries: [{ job: 'gates', cron: '0 6 * * 6' }] }, { gates: { lenient: { minSharpe: -10, minTrades: 1 } } });
    referenceId = await storeSyntheticReference(db);
  });
  afterAll(async () => {
    await db.close();
  });

  it('with no portfolios, succeeds and says nothing is followed', async () => {
    const run = await runGates({});
    expect(run).toMatchObject({ status: 'succeeded', notes: ['no portfolios: no strategy is followed, nothing to gate'] });
    expect(run.counts).toMatchObject({ strategies: 0, backtests: 0 });
  });

  it('backtests each followed strategy on all the data, gates it, simulates its reference out of sample; one bad portfolio fails alone', async () => {
    await db.kysely
      .insertInto('portfolios')
      .values([
        portfolio('alpha', { backtest_id: referenceId, params: JSON.stringify({ topPct: 34 }) }),
        portfolio('beta', { backtest_id: referenceId, params: JSON.stringify({ topPct: 34 }) }),
        portfolio('gamma', { strategy: 'ts-momentum' }),
        portfolio('broken', { strategy: 'no-such-strategy' }),
      ])
      .execute();
    const run = await runGates({});

    expect(run.status).toBe('succeeded');
    expect(run.counts).toEqual({
      portfolios: 4,
      strategies: 3,
      backtests: 2,
      passed: 2,
      failed_gates: 0,
      simulations: 1,
      not_simulated: 0,
      errors: 1,
    });
    // The fresh backtest of alpha and beta: the reference's spec to the last bar, as src/ computes it.
    const reference = await getBacktest(db, referenceId);
    const expected = await runBacktest(db, { ...reference.spec, to: null });
    const fresh = await db.kysely
      .selectFrom('backtests')
      .select(['id', 'strategy', 'period_from', 'period_to', 'metrics'])
      .where('id', '>', referenceId)
      .where('role', '=', 'backtest')
      .orderBy('id')
      .execute();
    expect(fresh).toHaveLength(2);
    expect(fresh[0]!.metrics).toEqual(JSON.parse(JSON.stringify(expected.metrics)));
    expect(fresh[0]!.period_from.toISOString().slice(0, 10)).toBe('2003-01-01');
    expect(fresh[0]!.period_to.toISOString().slice(0, 10)).toBe('2014-12-31');
    expect(fresh[1]!.strategy).toBe('ts-momentum');
    const verdicts = await db.kysely
      .selectFrom('gate_results')
      .select(['backtest_id', 'gate_set', 'passed'])
      .where(
        'backtest_id',
        'in',
        fresh.map((f) => f.id),
      )
      .execute();
    expect(verdicts.map((v) => [Number(v.backtest_id), v.gate_set, v.passed]).sort()).toEqual(
      fresh.map((f) => [Number(f.id), 'lenient', true]).sort(),
    );
    // The reference simulated on the data after its period.
    const [simulation] = await listSimulations(db, referenceId);
    expect(simulation!.comparison.outOfSample.period).toBe('2010-01-01 .. 2014-12-31');

    expect(run.notes).toEqual([
      expect.stringMatching(
        new RegExp(
          `^alpha, beta: backtest ${fresh[0]!.id} \\(xs-momentum, 2003-01-01 to 2014-12-31, Sharpe -?\\d+\\.\\d\\d\\) passed the lenient gates \\(1 trial in this family\\)$`,
        ),
      ),
      expect.stringMatching(
        new RegExp(
          `^alpha, beta: simulation ${simulation!.id} of backtest ${referenceId} out of sample \\(2010-01-01 \\.\\. 2014-12-31\\): Sharpe `,
        ),
      ),
      expect.stringMatching(new RegExp(`^gamma: backtest ${fresh[1]!.id} \\(ts-momentum, `)),
      'gamma: no reference backtest, so nothing to simulate out of sample',
      expect.stringMatching(/^broken: .*no-such-strategy/),
    ]);
  });

  it('fails when every followed strategy fails, and refuses an unknown gate set', async () => {
    const only = await runGates({ portfolios: ['broken'] });
    expect(only).toMatchObject({ status: 'failed', error: 'every followed strategy failed (1); see the notes' });
    const unknown = await runGates({ gates: 'nope', portfolios: ['alpha'] });
    expect(unknown.status).toBe('failed');
    expect(unknown.error).toMatch(/^gates: unknown gate set "nope"; known: default, strict, lenient/);
    expect(() => gatesJob.checkArgs!({ simulate: 'yes' })).toThrow(/^args\.simulate: /);
  });
});

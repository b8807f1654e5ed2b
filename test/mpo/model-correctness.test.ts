/**
 * The MPO model of ../shared/MPO.md against independent references: a constraint checker and an
 * objective recomputed from the returned weights (test/helpers/mpo-check.ts), and the same
 * programme written as CPLEX LP text and solved with HiGHS's LP-text reader
 * (test/helpers/mpo-reference-lp.ts), on the documented example and on random feasible instances,
 * with both solvers. Then infeasible instances and request validation.
 */
import { describe, expect, it } from 'vitest';
import { optimizeMultiPeriod, runMultiPeriod } from '../../src/mpo/optimize.js';
import { MpoRequestError, parseMpoRequest } from '../../src/mpo/mpo-request.js';
import { CASH, constraintViolations, mpoObjective, type MpoRequestJson, type MpoResponseJson } from '../helpers/mpo-check.js';
import { randomFeasibleRequest } from '../helpers/mpo-instances.js';
import { solveReference } from '../helpers/mpo-reference-lp.js';
import { MPO_EXAMPLE, refusedFields, SOLVERS, withParameters } from '../helpers/mpo-request.js';

const EXAMPLE: MpoRequestJson = MPO_EXAMPLE;

/** Checks a solved response against the checker, the recomputed objective and the reference objective. */
function expectOptimalAndValid(request: MpoRequestJson, response: MpoResponseJson, solverObjective: number, referenceObjective: number) {
  expect(response.status, response.message).toBe(0);
  expect(constraintViolations(request, response)).toEqual([]);
  expect(Math.abs(solverObjective - referenceObjective)).toBeLessThanOrEqual(1e-6);
  expect(Math.abs(mpoObjective(request, response) - referenceObjective)).toBeLessThanOrEqual(1e-6);
}

describe('the MPO.md example', () => {
  it.each(SOLVERS)('%s: objective 0.004, every constraint holds, 0.1/0.1/0.8 in periods 2 and 3', async (solver) => {
    const request = withParameters(EXAMPLE, { solver });
    const run = await runMultiPeriod(request);
    const { response } = run;
    expect(response.status).toBe(0);
    expect(response.message).toBeUndefined();
    expect(Math.abs(run.solution.objective - 0.004)).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(mpoObjective(request, response) - 0.004)).toBeLessThanOrEqual(1e-9);
    expect(constraintViolations(request, response)).toEqual([]);
    // The optimum is unique here (both max_weight and max_trade_size bind), unlike the old documentation's 0.2/0.2/0.6.
    for (const t of ['2', '3']) {
      expect(response.output.weights.GOOG![t]).toBeCloseTo(0.1, 9);
      expect(response.output.weights.APPL![t]).toBeCloseTo(0.1, 9);
      expect(response.output.weights.CASH![t]).toBeCloseTo(0.8, 9);
    }
    // Response shape: weights 1..P+1 and trades 1..P for every asset, CASH included, in request order.
    expect(Object.keys(response.output.weights)).toEqual(['GOOG', 'APPL', 'CASH']);
    expect(Object.keys(response.output.trades)).toEqual(['GOOG', 'APPL', 'CASH']);
    expect(Object.keys(response.output.weights.CASH!)).toEqual(['1', '2', '3', '4']);
    expect(Object.keys(response.output.trades.CASH!)).toEqual(['1', '2', '3']);
  });

  it('the independent LP agrees: 0.004', async () => {
    const reference = await solveReference(EXAMPLE);
    expect(reference.status).toBe('Optimal');
    expect(Math.abs(reference.objective - 0.004)).toBeLessThanOrEqual(1e-9);
    expect(constraintViolations(EXAMPLE, reference.response)).toEqual([]);
    expect(Math.abs(mpoObjective(EXAMPLE, reference.response) - 0.004)).toBeLessThanOrEqual(1e-9);
  });

  it('the documented 0.2/0.2/0.6 output breaks max_weight and max_trade_size (the checker sees it)', () => {
    const documented: MpoResponseJson = {
      output: {
        weights: {
          GOOG: { '1': 0, '2': 0.2, '3': 0.2, '4': 0 },
          APPL: { '1': 0, '2': 0.2, '3': 0.2, '4': 0 },
          CASH: { '1': 1, '2': 0.6, '3': 0.6, '4': 1 },
        },
        trades: {
          GOOG: { '1': 0.2, '2': 0, '3': -0.2 },
          APPL: { '1': 0.2, '2': 0, '3': -0.2 },
          CASH: { '1': -0.4, '2': 0, '3': 0.4 },
        },
      },
      status: 0,
    };
    const violations = constraintViolations(EXAMPLE, documented);
    expect(violations.some((v) => v.includes('max_weight'))).toBe(true);
    expect(violations.some((v) => v.includes('max_trade_size'))).toBe(true);
  });
});

describe('the constraint checker catches what it should', () => {
  // Perturbations of the example's optimum, each breaking one rule.
  const base = (): { weights: Record<string, Record<string, number>>; trades: Record<string, Record<string, number>> } => ({
    weights: {
      GOOG: { '1': 0, '2': 0.1, '3': 0.1, '4': 0 },
      APPL: { '1': 0, '2': 0.1, '3': 0.1, '4': 0 },
      CASH: { '1': 1, '2': 0.8, '3': 0.8, '4': 1 },
    },
    trades: {
      GOOG: { '1': 0.1, '2': 0, '3': -0.1 },
      APPL: { '1': 0.1, '2': 0, '3': -0.1 },
      CASH: { '1': -0.2, '2': 0, '3': 0.2 },
    },
  });
  const violationsOf = (edit: (o: ReturnType<typeof base>) => void, request = EXAMPLE) => {
    const output = base();
    edit(output);
    return constraintViolations(request, { output, status: 0 });
  };

  it('accepts the optimum and names each broken rule', () => {
    expect(violationsOf(() => {})).toEqual([]);
    expect(violationsOf((o) => (o.weights.GOOG!['3'] = 0.1 + 1e-6)).join()).toMatch(/w\[GOOG,3\].*w \+ z/);
    expect(violationsOf((o) => (o.trades.CASH!['2'] = 1e-6)).join()).toMatch(/sum of trades at 2/);
    expect(violationsOf((o) => (o.weights.CASH!['1'] = 0.9)).join()).toMatch(/initial weight/);
    expect(violationsOf((o) => ((o.weights.GOOG!['4'] = 0.1), (o.trades.GOOG!['3'] = 0))).join()).toMatch(/not liquidated/);
    expect(violationsOf((o) => void (o.trades.GOOG = { '1': 0.1, '2': 0 })).join()).toMatch(/trades\.GOOG has periods/);
    const tight = withParameters(EXAMPLE, { max_weight: 1, max_trade_size: 0.05 });
    expect(violationsOf(() => {}, tight).join()).toMatch(/max_trade_size/);
    const cash = withParameters(EXAMPLE, { min_cash_balance: 0.85 });
    expect(violationsOf(() => {}, cash).join()).toMatch(/min_cash_balance/);
    const leverage = withParameters(EXAMPLE, { max_leverage: 0.15 });
    expect(violationsOf(() => {}, leverage).join()).toMatch(/gross exposure/);
    const perAsset = withParameters(EXAMPLE, { per_asset: { APPL: { max_weight: 0.05 } } });
    expect(violationsOf(() => {}, perAsset)).toEqual(expect.arrayContaining([expect.stringMatching(/APPL.*max_weight 0.05/)]));
  });

  it('long only overrides a negative min_weight unless allow_short', () => {
    const shorted = (o: ReturnType<typeof base>) => {
      o.weights.GOOG = { '1': 0, '2': -0.1, '3': -0.1, '4': 0 };
      o.trades.GOOG = { '1': -0.1, '2': 0, '3': 0.1 };
      o.weights.CASH = { '1': 1, '2': 1, '3': 1, '4': 1 };
      o.trades.CASH = { '1': 0, '2': 0, '3': 0 };
    };
    expect(violationsOf(shorted).join()).toMatch(/long only/);
    expect(violationsOf(shorted, withParameters(EXAMPLE, { allow_short: true }))).toEqual([]);
  });

  it('recomputes the objective with costs on all trades, or non-cash only', () => {
    const output = base();
    const response = { output, status: 0 };
    // returns 0.1 * (0.05 + 0.04 + 0.02 + 0.01) = 0.012; |z| = 0.4 non-cash + 0.4 cash at 0.01.
    expect(mpoObjective(EXAMPLE, response)).toBeCloseTo(0.004, 15);
    expect(mpoObjective(withParameters(EXAMPLE, { cost_on_cash: false }), response)).toBeCloseTo(0.008, 15);
    expect(mpoObjective(withParameters(EXAMPLE, { trade_aversion: 2 }), response)).toBeCloseTo(-0.004, 15);
  });
});

/** Random feasible instances: sizes (non-cash assets, periods) and how many of each. */
const SIZES: readonly { assets: number; periods: number; count: number; solvers: readonly ('highs' | 'glpk')[] }[] = [
  { assets: 1, periods: 2, count: 3, solvers: SOLVERS },
  { assets: 2, periods: 1, count: 6, solvers: SOLVERS },
  { assets: 3, periods: 3, count: 8, solvers: SOLVERS },
  { assets: 5, periods: 6, count: 6, solvers: SOLVERS },
  { assets: 10, periods: 12, count: 4, solvers: SOLVERS },
  { assets: 25, periods: 4, count: 4, solvers: ['highs'] },
  { assets: 40, periods: 8, count: 2, solvers: ['highs'] },
];
const INSTANCES = SIZES.flatMap(({ assets, periods, count, solvers }) =>
  Array.from({ length: count }, (_, k) => ({ assets, periods, solvers, seed: 1000 * assets + 10 * periods + k })),
);

describe(`random feasible instances (${INSTANCES.length}) against the independent LP`, () => {
  it('has 30+ instances', () => expect(INSTANCES.length).toBeGreaterThanOrEqual(30));

  it.each(INSTANCES)('($assets, $periods) seed $seed', async ({ assets, periods, solvers, seed }) => {
    const request = randomFeasibleRequest(seed, assets, periods);
    const reference = await solveReference(request);
    expect(reference.status, reference.lp).toBe('Optimal');
    // The reference's own optimum passes the checker and its objective matches the formula.
    expect(constraintViolations(request, reference.response)).toEqual([]);
    expect(Math.abs(mpoObjective(request, reference.response) - reference.objective)).toBeLessThanOrEqual(1e-7);
    for (const solver of solvers) {
      const solved = withParameters(request, { solver });
      const run = await runMultiPeriod(solved);
      expectOptimalAndValid(solved, run.response, run.solution.objective, reference.objective);
    }
  });
});

describe('infeasible instances: status 1 with a message, no crash', () => {
  const cases: { name: string; request: MpoRequestJson }[] = [
    { name: 'min_cash_balance above 1', request: withParameters(EXAMPLE, { min_cash_balance: 1.5 }) },
    {
      name: 'max_trade_size too small to liquidate by the end',
      request: withParameters({ ...EXAMPLE, initial_weights: { GOOG: 0.5, APPL: 0, CASH: 0.5 } }, { max_weight: 1 }),
    },
    {
      name: 'max_weight below a weight that cannot be traded away in time',
      request: withParameters({ ...EXAMPLE, initial_weights: { GOOG: 0.3, APPL: 0, CASH: 0.7 } }, { max_weight: 0.15 }),
    },
  ];
  const runs = cases.flatMap((c) => SOLVERS.map((solver) => ({ ...c, solver })));

  it.each(cases)('the independent LP finds it infeasible too: $name', async ({ request }) => {
    expect((await solveReference(request)).status).toBe('Infeasible');
  });

  it.each(runs)('status 1 with $solver: $name', async ({ request, solver }) => {
    const response = await optimizeMultiPeriod(withParameters(request, { solver }));
    expect(response.status).toBe(1);
    expect(typeof response.message).toBe('string');
    expect(response.message!.length).toBeGreaterThan(0);
    // output holds what the solver returned, or nulls, for every asset and time.
    for (const asset of ['GOOG', 'APPL', CASH]) {
      expect(Object.keys(response.output.weights[asset]!)).toEqual(['1', '2', '3', '4']);
      expect(Object.keys(response.output.trades[asset]!)).toEqual(['1', '2', '3']);
      for (const v of [...Object.values(response.output.weights[asset]!), ...Object.values(response.output.trades[asset]!)])
        expect(v === null || Number.isFinite(v)).toBe(true);
    }
  });

  // The message should say why: these are proven infeasible (the independent LP says so).
  it.each(runs)('the message says infeasible with $solver: $name', async ({ request, solver }) => {
    const response = await optimizeMultiPeriod(withParameters(request, { solver }));
    expect(response.message).toMatch(/infeasible/i);
  });
});

describe('initial weights summing to 1 within the 1e-6 tolerance', () => {
  // MPO.md accepts weights that sum to 1 within 1e-6: such a request is valid, so it must be solved
  // (the liquidation target w[CASH,P+1] = 1 cannot be met exactly when the weights sum to 1 + d).
  const offsets = [1e-8, 5e-7, -5e-7, 9e-7];
  const cases = offsets.flatMap((d) => SOLVERS.map((solver) => ({ d, solver })));
  it.each(cases)('$solver: CASH off by $d is accepted and solved', async ({ d, solver }) => {
    const request = withParameters(
      { ...EXAMPLE, initial_weights: { GOOG: 0.3, APPL: 0.3, CASH: 0.4 + d } },
      { solver, max_weight: 0.5, min_cash_balance: 0 },
    );
    expect(() => parseMpoRequest(request)).not.toThrow();
    const response = await optimizeMultiPeriod(request);
    expect(response.status, response.message).toBe(0);
    // Every constraint holds to the tolerance the request was accepted with.
    expect(constraintViolations(request, response, 1e-6)).toEqual([]);
  });
});

describe('request validation (MpoRequestError naming the field)', () => {
  const returns = EXAMPLE.estimated_returns;

  it('needs CASH in initial_weights', () => {
    expect(refusedFields({ initial_weights: { GOOG: 0.5, APPL: 0.5 }, estimated_returns: returns })).toContain('initial_weights.CASH');
  });

  it('needs weights summing to 1 within 1e-6', () => {
    const weights = (cash: number) => ({ initial_weights: { GOOG: 0.2, APPL: 0.3, CASH: cash }, estimated_returns: returns });
    expect(refusedFields(weights(0.51))).toContain('initial_weights');
    expect(refusedFields(weights(0.49))).toContain('initial_weights');
    expect(refusedFields(weights(0.5 + 2e-6))).toContain('initial_weights');
    expect(() => parseMpoRequest(weights(0.5 + 5e-7))).not.toThrow();
    expect(() => parseMpoRequest(weights(0.5 - 5e-7))).not.toThrow();
  });

  it('needs estimated_returns for every non-cash asset and no other', () => {
    const { APPL: _dropped, ...onlyGoog } = returns;
    expect(refusedFields({ initial_weights: EXAMPLE.initial_weights, estimated_returns: onlyGoog })).toContain('estimated_returns.APPL');
    const extra = { ...returns, MSFT: { '1': 0.01, '2': 0.01, '3': 0.01 } };
    expect(refusedFields({ initial_weights: EXAMPLE.initial_weights, estimated_returns: extra })).toContain('estimated_returns.MSFT');
    const cash = { ...returns, CASH: { '1': 0, '2': 0, '3': 0 } };
    expect(refusedFields({ initial_weights: EXAMPLE.initial_weights, estimated_returns: cash })).toContain('estimated_returns.CASH');
  });

  it.each([
    ['starts at 0', { '0': 0.01, '1': 0.01, '2': 0.01 }],
    ['has a gap', { '1': 0.01, '2': 0.01, '4': 0.01 }],
    ['starts at 2', { '2': 0.01, '3': 0.01, '4': 0.01 }],
    ['has a leading zero', { '01': 0.01, '2': 0.01, '3': 0.01 }],
    ['is not an integer', { '1': 0.01, '2': 0.01, '2.5': 0.01 }],
    ['is a name', { a: 0.01, b: 0.01, c: 0.01 }],
    ['is empty', {}],
  ])('refuses periods that are not "1".."P": %s', (_, periods) => {
    expect(refusedFields({ initial_weights: EXAMPLE.initial_weights, estimated_returns: { ...returns, APPL: periods } })).toContain(
      'estimated_returns.APPL',
    );
  });

  it('accepts period keys in any order', async () => {
    const shuffled = { GOOG: { '3': -0.1, '1': 0.05, '2': 0.02 }, APPL: returns.APPL! };
    const response = await optimizeMultiPeriod({ ...EXAMPLE, estimated_returns: shuffled });
    expect(response.status).toBe(0);
    expect(mpoObjective(EXAMPLE, response)).toBeCloseTo(0.004, 9);
  });

  it('refuses unequal period counts', () => {
    const fields = refusedFields({
      initial_weights: EXAMPLE.initial_weights,
      estimated_returns: { ...returns, APPL: { '1': 0.01, '2': 0.02 } },
    });
    expect(fields.some((f) => f === 'estimated_returns.APPL' || f === 'estimated_returns.GOOG')).toBe(true);
  });

  it('refuses a non-object request and non-numeric weights', async () => {
    expect(refusedFields(null)).toEqual(['request']);
    expect(refusedFields([])).toEqual(['request']);
    expect(refusedFields({ initial_weights: { GOOG: '0.5', APPL: 0, CASH: 0.5 }, estimated_returns: returns })).toContain(
      'initial_weights.GOOG',
    );
    await expect(optimizeMultiPeriod({ initial_weights: { GOOG: 1 } })).rejects.toBeInstanceOf(MpoRequestError);
  });

  it('accepts trade_cost alone as transaction_cost, and equal values of both', async () => {
    const alias = withParameters(EXAMPLE, { transaction_cost: undefined, trade_cost: 0.02 });
    delete alias.parameters!.transaction_cost;
    expect(parseMpoRequest(alias).parameters.transaction_cost).toBe(0.02);
    const both = withParameters(EXAMPLE, { transaction_cost: 0.02, trade_cost: 0.02 });
    expect(parseMpoRequest(both).parameters.transaction_cost).toBe(0.02);
    const direct = withParameters(EXAMPLE, { transaction_cost: 0.02 });
    const [viaAlias, viaName] = await Promise.all([runMultiPeriod(alias), runMultiPeriod(direct)]);
    expect(viaAlias.solution.objective).toBeCloseTo(viaName.solution.objective, 12);
    expect(viaName.solution.objective).toBeCloseTo((await solveReference(direct)).objective, 9);
  });

  it('refuses trade_cost that differs from transaction_cost', () => {
    const fields = refusedFields(withParameters(EXAMPLE, { transaction_cost: 0.01, trade_cost: 0.02 }));
    expect(fields.some((f) => /trade_cost|transaction_cost/.test(f))).toBe(true);
  });

  it('applies the defaults of MPO.md', async () => {
    const bare = { initial_weights: EXAMPLE.initial_weights, estimated_returns: returns };
    const expected = {
      min_weight: -1,
      max_weight: 1,
      min_cash_balance: 0,
      max_leverage: 1,
      max_trade_size: 1,
      trade_aversion: 1,
      transaction_cost: 0.001,
    };
    expect(parseMpoRequest(bare).parameters).toMatchObject(expected);
    expect(parseMpoRequest({ ...bare, parameters: {} }).parameters).toMatchObject(expected);
    expect(parseMpoRequest({ ...bare, parameters: { max_weight: 0.5 } }).parameters).toMatchObject({ ...expected, max_weight: 0.5 });
    // Defaults omitted and spelled out give the same optimum, and the independent LP (which applies MPO.md's defaults itself) agrees.
    const omitted = await runMultiPeriod(bare);
    const explicit = await runMultiPeriod({ ...bare, parameters: expected });
    expect(omitted.solution.objective).toBeCloseTo(explicit.solution.objective, 12);
    expect(Math.abs(omitted.solution.objective - (await solveReference(bare)).objective)).toBeLessThanOrEqual(1e-9);
    expect(constraintViolations(bare, omitted.response)).toEqual([]);
  });

  it('reports several problems of one request together', () => {
    const fields = refusedFields({
      initial_weights: { GOOG: 0.5, APPL: 0.6 },
      estimated_returns: { GOOG: { '1': 0.01, '2': 0.01 }, APPL: { '1': 0.01 }, MSFT: { '1': 0.01 } },
      parameters: { transaction_cost: 0.01, trade_cost: 0.02 },
    });
    expect(fields).toEqual(
      expect.arrayContaining(['initial_weights.CASH', 'initial_weights', 'estimated_returns.MSFT', 'estimated_returns.APPL']),
    );
    expect(fields.some((f) => /trade_cost|transaction_cost/.test(f))).toBe(true);
    expect(fields.length).toBeGreaterThanOrEqual(5);
  });

  it('reports bad parameters by name', () => {
    const fields = refusedFields(
      withParameters(EXAMPLE, { max_trade_size: -1, max_leverage: Number.NaN, min_weight: 0.5, max_weight: 0.2 }),
    );
    expect(fields).toEqual(expect.arrayContaining(['parameters.max_trade_size', 'parameters.max_leverage']));
  });
});

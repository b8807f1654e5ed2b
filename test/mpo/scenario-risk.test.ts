/**
 * The LP-representable risk of ../shared/MPO.md: `risk_measure: "mad"` (mean absolute deviation)
 * and `"cvar"` (conditional value at risk) over equally likely `return_scenarios`. The risk of the
 * returned weights is computed here directly from the scenarios (portfolio returns, their mean
 * absolute deviation, the mean of the sorted worst losses), never from the model's auxiliaries.
 */
import { describe, expect, it } from 'vitest';
import { buildMpoModel } from '../../src/mpo/mpo-model.js';
import { parseMpoRequest, type MpoRequestError } from '../../src/mpo/mpo-request.js';
import { runMultiPeriod } from '../../src/mpo/optimize.js';
import { constraintViolations, objectiveParts, type MpoParametersJson, type MpoRequestJson } from '../helpers/mpo-check.js';
import { randomFeasibleRequest, seeded } from '../helpers/mpo-instances.js';
import { refusedFields, SOLVERS, withParameters } from '../helpers/mpo-request.js';

type Scenario = Record<string, number>;
interface ScenarioParameters extends MpoParametersJson {
  risk_measure?: 'variance' | 'mad' | 'cvar';
  return_scenarios?: Scenario[];
  cvar_level?: number;
}
interface ScenarioRequest extends MpoRequestJson {
  parameters?: ScenarioParameters;
}
type Measure = 'mad' | 'cvar';

const riskyOf = (request: ScenarioRequest): string[] => Object.keys(request.initial_weights).filter((a) => a !== 'CASH');

/** The portfolio's return in each scenario. */
const portfolioReturns = (scenarios: readonly Scenario[], risky: readonly string[], h: readonly number[]): number[] =>
  scenarios.map((scenario) => risky.reduce((sum, a, i) => sum + scenario[a]! * h[i]!, 0));

/** Mean absolute deviation of the portfolio return over the scenarios. */
function madOf(scenarios: readonly Scenario[], risky: readonly string[], h: readonly number[]): number {
  const returns = portfolioReturns(scenarios, risky, h);
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  return returns.reduce((sum, r) => sum + Math.abs(r - mean), 0) / returns.length;
}

/** CVaR at level alpha: the mean loss of the worst (1 - alpha) share of the scenarios, the boundary scenario counted in part. */
function cvarOf(scenarios: readonly Scenario[], risky: readonly string[], h: readonly number[], alpha: number): number {
  const losses = portfolioReturns(scenarios, risky, h)
    .map((r) => -r)
    .sort((a, b) => b - a);
  let mass = (1 - alpha) * losses.length; // in scenarios
  const tail = mass;
  let sum = 0;
  for (const loss of losses) {
    const take = Math.min(1, mass);
    if (take <= 0) break;
    sum += take * loss;
    mass -= take;
  }
  return sum / tail;
}

function riskOf(request: ScenarioRequest, h: readonly number[]): number {
  const p = request.parameters!;
  const risky = riskyOf(request);
  return p.risk_measure === 'mad' ? madOf(p.return_scenarios!, risky, h) : cvarOf(p.return_scenarios!, risky, h, p.cvar_level ?? 0.95);
}

/** Post-trade non-cash weights of each period t = 1..P: the returned w at time t + 1. */
function postTradeWeights(request: ScenarioRequest, response: Awaited<ReturnType<typeof runMultiPeriod>>['response']): number[][] {
  const risky = riskyOf(request);
  const P = Object.keys(response.output.trades.CASH!).length;
  return Array.from({ length: P }, (_, k) => risky.map((a) => response.output.weights[a]![String(k + 2)]!));
}

/** The parts of the objective recomputed from the returned weights and trades, the risk directly from the scenarios. */
function recomputed(request: ScenarioRequest, response: Awaited<ReturnType<typeof runMultiPeriod>>['response']) {
  const parts = objectiveParts(request, response);
  expect(parts.variance).toBe(0); // no covariance: the checker adds no variance term
  const risk = postTradeWeights(request, response).reduce((sum, h) => sum + riskOf(request, h), 0);
  const net = parts.expectedReturn - parts.tradingCost - parts.borrowCost;
  const gamma = request.parameters?.risk_aversion ?? 0;
  return { ...parts, risk, net, objective: net - gamma * risk };
}

/** Solves, expects status 0 and every constraint of MPO.md to hold. */
async function solve(request: ScenarioRequest, solver: 'highs' | 'glpk' = 'highs') {
  const solved = withParameters(request, { solver });
  const run = await runMultiPeriod(solved);
  expect(run.response.status, run.response.message).toBe(0);
  expect(constraintViolations(solved, run.response)).toEqual([]);
  return { run, response: run.response, objective: run.solution.objective };
}

/** Standard normal draws from a seeded uniform generator (Box-Muller). */
function normals(u: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** S one-factor return scenarios for the request's non-cash assets: r = mu + beta f + eps. */
function randomScenarios(request: ScenarioRequest, S: number, seed: number): Scenario[] {
  const u = seeded(seed);
  const normal = normals(u);
  const risky = riskyOf(request);
  const asset = risky.map(() => ({ mu: -0.005 + 0.015 * u(), beta: 0.5 + u(), sd: 0.01 + 0.05 * u() }));
  return Array.from({ length: S }, () => {
    const f = 0.03 * normal();
    return Object.fromEntries(risky.map((a, i) => [a, Number((asset[i]!.mu + asset[i]!.beta * f + asset[i]!.sd * normal()).toFixed(6))]));
  });
}

/** A random feasible request with S random scenarios and the given risk measure. */
function scenarioRequest(
  seed: number,
  assets: number,
  periods: number,
  S: number,
  extra: ScenarioParameters,
  short = false,
): ScenarioRequest {
  const base: ScenarioRequest = randomFeasibleRequest(seed, assets, periods, short ? { short: true, extensions: true } : {});
  return withParameters(base, { return_scenarios: randomScenarios(base, S, seed + 1), ...extra });
}

/** Without trading costs (the trade_cost alias removed too, so it cannot conflict). */
function withoutCosts(request: ScenarioRequest): ScenarioRequest {
  const { trade_cost: _, ...rest } = request.parameters ?? {};
  return { ...request, parameters: { ...rest, transaction_cost: 0 } };
}

describe('one risky asset: all in above the return/risk threshold, nothing below', () => {
  // S = 7; alpha 0.8 puts 1.4 scenarios in the tail (the boundary one counted in part), 0.95 only 0.35.
  const SCENARIOS = [0.06, -0.04, 0.03, -0.02, 0.01, -0.05, 0.04].map((x) => ({ X: x }));
  const r = 0.012;
  const cases = [
    { measure: 'mad' as const, alpha: undefined, perUnit: madOf(SCENARIOS, ['X'], [1]) },
    { measure: 'cvar' as const, alpha: 0.8, perUnit: cvarOf(SCENARIOS, ['X'], [1], 0.8) },
    { measure: 'cvar' as const, alpha: 0.95, perUnit: cvarOf(SCENARIOS, ['X'], [1], 0.95) },
  ];

  it('the risk per unit computed here is the textbook figure', () => {
    // mean 0.03/7; MAD = sum |x - mean| / 7; CVaR_0.8 = (0.05 + 0.4 * 0.04) / 1.4; CVaR_0.95 = 0.05.
    const mean = 0.03 / 7;
    expect(cases[0]!.perUnit).toBeCloseTo(SCENARIOS.reduce((s, { X }) => s + Math.abs(X - mean), 0) / 7, 15);
    expect(cases[1]!.perUnit).toBeCloseTo((0.05 + 0.4 * 0.04) / 1.4, 15);
    expect(cases[2]!.perUnit).toBeCloseTo(0.05, 15);
  });

  describe.each(SOLVERS)('%s', (solver) => {
    it.each(cases)('$measure (alpha $alpha): h = max_weight iff r > gamma * risk per unit; objective r h - gamma risk(h)', async (c) => {
      const threshold = r / c.perUnit;
      for (const factor of [0.3, 0.9, 1.1, 3]) {
        const gamma = factor * threshold;
        const request: ScenarioRequest = {
          initial_weights: { X: 0, CASH: 1 },
          estimated_returns: { X: { '1': r } },
          parameters: {
            max_weight: 1,
            transaction_cost: 0,
            liquidate_at_end: false,
            risk_aversion: gamma,
            risk_measure: c.measure,
            return_scenarios: SCENARIOS,
            ...(c.alpha === undefined ? {} : { cvar_level: c.alpha }),
          },
        };
        const { response, objective } = await solve(request, solver);
        const h = response.output.weights.X!['2']!;
        const expected = factor < 1 ? 1 : 0;
        expect(Math.abs(h - expected)).toBeLessThanOrEqual(1e-9);
        const risk = c.measure === 'mad' ? madOf(SCENARIOS, ['X'], [h]) : cvarOf(SCENARIOS, ['X'], [h], c.alpha!);
        expect(Math.abs(objective - (r * h - gamma * risk))).toBeLessThanOrEqual(1e-9);
        expect(Math.abs(objective - (expected === 1 ? r - gamma * c.perUnit : 0))).toBeLessThanOrEqual(1e-9);
      }
    });
  });
});

describe('as risk_aversion rises, the risk and the return never increase', () => {
  const GAMMAS = [0, 0.05, 0.2, 0.5, 1, 2, 5, 20];
  const instances = [
    { assets: 3, periods: 3, S: 8, seed: 31 },
    { assets: 5, periods: 4, S: 20, seed: 54 },
    { assets: 5, periods: 4, S: 20, seed: 57 },
    { assets: 8, periods: 6, S: 30, seed: 86 },
  ];
  const cases = instances.flatMap((instance) =>
    [
      { measure: 'mad' as Measure, cvar_level: undefined },
      { measure: 'cvar' as Measure, cvar_level: 0.9 },
    ].flatMap((m) => [false, true].map((costs) => ({ ...instance, ...m, costs }))),
  );

  it.each(cases)(
    '$measure ($assets, $periods) S $S seed $seed, costs $costs',
    async ({ assets, periods, S, seed, measure, cvar_level, costs }) => {
      const base = scenarioRequest(seed, assets, periods, S, { risk_measure: measure, ...(cvar_level ? { cvar_level } : {}) });
      const runs = [];
      for (const gamma of GAMMAS) {
        const request = withParameters(costs ? base : withoutCosts(base), { risk_aversion: gamma });
        const { response } = await solve(request);
        runs.push(recomputed(request, response));
      }
      for (let k = 1; k < runs.length; k++) {
        expect(runs[k]!.risk).toBeLessThanOrEqual(runs[k - 1]!.risk + 1e-7);
        // The return net of costs is what never increases; without costs that is the expected return.
        expect(runs[k]!.net).toBeLessThanOrEqual(runs[k - 1]!.net + 1e-7);
        if (!costs) expect(runs[k]!.expectedReturn).toBeLessThanOrEqual(runs[k - 1]!.expectedReturn + 1e-7);
      }
      // The risk term does something: the riskless (all cash) plan has risk 0 for MAD, and
      // CVaR(0) = 0 too; a large gamma drives the risk down to (near) that.
      expect(runs[0]!.risk).toBeGreaterThan(1e-3);
      expect(runs.at(-1)!.risk).toBeLessThan(runs[0]!.risk / 4);
    },
  );
});

describe("the solver's objective is the objective recomputed from the weights; HiGHS and glpk agree", () => {
  const instances = [
    { assets: 3, periods: 3, S: 6, seed: 130, short: false },
    { assets: 5, periods: 4, S: 20, seed: 150, short: false },
    { assets: 5, periods: 4, S: 20, seed: 151, short: true },
    { assets: 8, periods: 6, S: 30, seed: 180, short: true },
    { assets: 12, periods: 5, S: 40, seed: 1120, short: false },
  ];
  const cases = instances.flatMap((instance, k) => [
    { ...instance, measure: 'mad' as Measure, alpha: undefined, gamma: 0.3 + k },
    // (1 - alpha) S is not a whole number for most of these: the boundary scenario counts in part.
    { ...instance, measure: 'cvar' as Measure, alpha: [0.95, 0.9, 0.8, 0.95, 0.97][k]!, gamma: 0.1 + 0.4 * k },
  ]);

  it.each(cases)(
    '$measure ($assets, $periods) S $S seed $seed short $short, gamma $gamma alpha $alpha',
    async ({ assets, periods, S, seed, short, measure, alpha, gamma }) => {
      const request = scenarioRequest(
        seed,
        assets,
        periods,
        S,
        { risk_measure: measure, risk_aversion: gamma, ...(alpha ? { cvar_level: alpha } : {}) },
        short,
      );
      const objectives: number[] = [];
      for (const solver of SOLVERS) {
        const solved = withParameters(request, { solver });
        const { response, objective } = await solve(solved, solver);
        const independent = recomputed(solved, response);
        expect(Math.abs(objective - independent.objective)).toBeLessThanOrEqual(1e-6);
        objectives.push(objective);
      }
      expect(Math.abs(objectives[0]! - objectives[1]!)).toBeLessThanOrEqual(1e-6);
      // The risk term binds: the objective is below the same plan's risk-free objective.
      const riskFree = await solve(withParameters(request, { risk_aversion: 0 }));
      expect(riskFree.objective).toBeGreaterThan(objectives[0]! + 1e-6);
    },
  );
});

describe('request validation', () => {
  const BASE: ScenarioRequest = {
    initial_weights: { A: 0.2, B: 0.1, CASH: 0.7 },
    estimated_returns: { A: { '1': 0.01, '2': 0.02 }, B: { '1': 0.0, '2': 0.01 } },
    parameters: {
      risk_aversion: 1,
      risk_measure: 'mad',
      return_scenarios: [
        { A: 0.02, B: -0.01 },
        { A: -0.01, B: 0.03 },
        { A: 0, B: 0 },
      ],
    },
  };
  const COVARIANCE = { A: { A: 0.04, B: 0.01 }, B: { A: 0.01, B: 0.09 } };
  const FACTORS = { loadings: { A: [0.1], B: [0.2] }, factor_covariance: [[1]], idiosyncratic: { A: 0.01, B: 0.02 } };

  const without = (key: keyof ScenarioParameters): ScenarioRequest => {
    const { [key]: _, ...rest } = BASE.parameters!;
    return { ...BASE, parameters: rest };
  };
  const scenarios = (list: unknown[]) => ({ ...BASE, parameters: { ...BASE.parameters, return_scenarios: list } });

  it('accepts the valid request, with glpk too (mad and cvar are linear)', () => {
    for (const risk_measure of ['mad', 'cvar'] as const)
      for (const solver of SOLVERS) expect(parseMpoRequest(withParameters(BASE, { risk_measure, solver })).parameters.solver).toBe(solver);
    expect(parseMpoRequest(BASE).parameters.cvar_level).toBe(0.95);
  });

  it.each(['mad', 'cvar'] as const)('%s with risk_aversion > 0 requires return_scenarios', (risk_measure) => {
    expect(refusedFields(withParameters(without('return_scenarios'), { risk_measure }))).toEqual(['parameters.return_scenarios']);
    // With risk_aversion 0 there is no risk term: nothing is needed.
    expect(() => parseMpoRequest(withParameters(without('return_scenarios'), { risk_measure, risk_aversion: 0 }))).not.toThrow();
  });

  it('covariance or factor_model with mad/cvar, or return_scenarios with the variance, say which goes with which', () => {
    const problems = (request: unknown) => {
      try {
        parseMpoRequest(request);
      } catch (error) {
        return (error as MpoRequestError).details;
      }
      throw new Error('accepted');
    };
    expect(problems(withParameters(BASE, { covariance: COVARIANCE }))).toEqual([
      { field: 'parameters.covariance', message: expect.stringMatching(/risk_measure "variance".*"mad" uses return_scenarios/) },
    ]);
    expect(problems(withParameters(BASE, { risk_measure: 'cvar', factor_model: FACTORS }))).toEqual([
      { field: 'parameters.factor_model', message: expect.stringMatching(/risk_measure "variance".*"cvar" uses return_scenarios/) },
    ]);
    for (const variance of [{ risk_measure: 'variance' as const }, {}]) {
      const { risk_measure: _, ...rest } = BASE.parameters!;
      expect(problems({ ...BASE, parameters: { ...rest, ...variance, covariance: COVARIANCE } })).toEqual([
        { field: 'parameters.return_scenarios', message: expect.stringMatching(/"mad" or "cvar".*covariance or factor_model/) },
      ]);
    }
  });

  it('each scenario names every non-cash asset and nothing else, by field', () => {
    expect(refusedFields(scenarios([{ A: 0.01, B: 0 }, { A: 0.02 }]))).toEqual(['parameters.return_scenarios.1.B']);
    expect(
      refusedFields(
        scenarios([
          { A: 0.01, B: 0, Z: 0.1 },
          { A: 0.02, B: 0 },
        ]),
      ),
    ).toEqual(['parameters.return_scenarios.0.Z']);
    expect(
      refusedFields(
        scenarios([
          { A: 0.01, B: 0 },
          { A: 0.02, B: 0, CASH: 0 },
        ]),
      ),
    ).toEqual(['parameters.return_scenarios.1.CASH']);
    expect(
      refusedFields(
        scenarios([
          { A: 'x', B: 0 },
          { A: 0.02, B: 0 },
        ]),
      ),
    ).toEqual(['parameters.return_scenarios.0.A']);
    // Every problem at once.
    expect(refusedFields(scenarios([{ B: 0 }, { A: 0.02, B: 0, Y: 1 }, { A: 0, B: 0 }])).sort()).toEqual([
      'parameters.return_scenarios.0.A',
      'parameters.return_scenarios.1.Y',
    ]);
  });

  it('reserved names in a scenario are refused (as parsed from JSON)', () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      const json = `{"initial_weights":{"A":0.2,"B":0.1,"CASH":0.7},"estimated_returns":{"A":{"1":0.01},"B":{"1":0}},
        "parameters":{"risk_aversion":1,"risk_measure":"cvar","return_scenarios":[{"A":0.01,"B":0},{"A":0,"B":0,"${key}":0.5}]}}`;
      expect(refusedFields(JSON.parse(json))).toContain(`parameters.return_scenarios.1.${key}`);
    }
  });

  it('at least 2 scenarios; cvar_level strictly between 0 and 1; a known risk_measure', () => {
    expect(refusedFields(scenarios([{ A: 0.01, B: 0 }]))).toEqual(['parameters.return_scenarios']);
    expect(refusedFields(scenarios([]))).toEqual(['parameters.return_scenarios']);
    for (const level of [0, 1, 1.5, -0.2])
      expect(refusedFields(withParameters(BASE, { risk_measure: 'cvar', cvar_level: level }))).toEqual(['parameters.cvar_level']);
    expect(refusedFields({ ...BASE, parameters: { ...BASE.parameters, risk_measure: 'stdev' } })).toEqual(['parameters.risk_measure']);
  });

  it('glpk with the variance and risk_aversion > 0 is still refused', () => {
    const { return_scenarios: _, risk_measure: __, ...rest } = BASE.parameters!;
    expect(refusedFields({ ...BASE, parameters: { ...rest, covariance: COVARIANCE, solver: 'glpk' } })).toEqual(['parameters.solver']);
  });

  it('mad or cvar with risk_aversion 0 builds the same model as no risk at all', () => {
    const plain = (() => {
      const { return_scenarios: _, risk_measure: __, ...rest } = BASE.parameters!;
      return { ...BASE, parameters: { ...rest, risk_aversion: 0 } };
    })();
    const reference = buildMpoModel(parseMpoRequest(plain)).model;
    for (const risk_measure of ['mad', 'cvar'] as const)
      expect(buildMpoModel(parseMpoRequest(withParameters(BASE, { risk_measure, risk_aversion: 0 }))).model).toEqual(reference);
    // And with risk_aversion > 0 it adds the scenario rows: 3 scenarios x 2 periods x (1 + 2) for mad.
    const mad = buildMpoModel(parseMpoRequest(BASE)).model;
    expect(mad.rows - reference.rows).toBe(3 * 2 * 3);
    expect(mad.quadratic).toEqual([]);
  });
});

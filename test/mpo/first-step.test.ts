/**
 * The typed problem in process: the HTTP adapter maps the compatible JSON onto the same problem a
 * caller builds by hand, planFirstStep reads the first period of the answer the API gives, and a
 * plan with no optimum is an OptimisationError.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { OptimisationError } from '../../src/errors.js';
import { planFirstStep } from '../../src/mpo/first-step.js';
import { loadHighs } from '../../src/mpo/highs-solver.js';
import { buildMpoModel } from '../../src/mpo/mpo-model.js';
import { CASH, longOnlyProblem, MPO_DEFAULTS, startingWeights, type MpoProblem } from '../../src/mpo/mpo-problem.js';
import { parseMpoRequest } from '../../src/mpo/mpo-request.js';
import { optimizeMultiPeriod } from '../../src/mpo/optimize.js';

/** A small compatible request: SPY may gain in period 1, but everything is sold by the end. */
const REQUEST = {
  initial_weights: { SPY: 0.2, AGG: 0, CASH: 0.8 },
  estimated_returns: { SPY: { '1': 0.03, '2': -0.02 }, AGG: { '1': 0.01, '2': 0.01 } },
  parameters: { max_weight: 0.5, max_trade_size: 0.25, transaction_cost: 0.002 },
};

/** The same problem, typed by hand. */
const TYPED: MpoProblem = {
  ...MPO_DEFAULTS,
  assets: ['SPY', 'AGG', CASH],
  risky: ['SPY', 'AGG'],
  periods: 2,
  initial: Float64Array.of(0.2, 0, 0.8),
  returns: [Float64Array.of(0.03, -0.02), Float64Array.of(0.01, 0.01)],
  minWeight: Float64Array.of(-1, -1),
  maxWeight: Float64Array.of(0.5, 0.5),
  maxTradeSize: 0.25,
  transactionCost: 0.002,
  risk: null,
};

beforeAll(async () => {
  await loadHighs();
});

describe('the typed problem', () => {
  it('is what the HTTP adapter maps the compatible request onto', () => {
    const parsed = parseMpoRequest(REQUEST);
    const { parameters, ...typed } = parsed;
    expect(typed).toEqual(TYPED);
    expect(parameters).toMatchObject({ max_weight: 0.5, min_weight: -1, transaction_cost: 0.002 });
    expect(buildMpoModel(parsed).model).toEqual(buildMpoModel(TYPED).model);
  });

  it('maps per-asset bounds and each risk measure onto arrays in the order of the non-cash assets', () => {
    const parsed = parseMpoRequest({
      ...REQUEST,
      parameters: {
        ...REQUEST.parameters,
        per_asset: { AGG: { max_weight: 0.05 } },
        risk_aversion: 2,
        risk_measure: 'cvar',
        cvar_level: 0.9,
        return_scenarios: [
          { AGG: 0.01, SPY: -0.02 },
          { SPY: 0.03, AGG: -0.01 },
        ],
      },
    });
    expect(Array.from(parsed.maxWeight)).toEqual([0.5, 0.05]);
    expect(parsed.risk).toEqual({
      measure: 'cvar',
      aversion: 2,
      level: 0.9,
      scenarios: [Float64Array.of(-0.02, 0.01), Float64Array.of(0.03, -0.01)],
    });
    const factors = parseMpoRequest({
      ...REQUEST,
      parameters: {
        ...REQUEST.parameters,
        risk_aversion: 1,
        factor_model: { loadings: { AGG: [0.5], SPY: [1.5] }, factor_covariance: [[0.04]], idiosyncratic: { AGG: 0.02, SPY: 0.01 } },
      },
    });
    expect(factors.risk).toEqual({
      measure: 'factors',
      aversion: 1,
      loadings: [Float64Array.of(1.5), Float64Array.of(0.5)],
      factorCovariance: [Float64Array.of(0.04)],
      idiosyncratic: Float64Array.of(0.01, 0.02),
    });
    expect(parseMpoRequest(REQUEST).risk).toBeNull();
  });
});

describe('planFirstStep', () => {
  it('gives the post-trade weights of period 1: the API answer at time 2', async () => {
    const answer = await optimizeMultiPeriod(REQUEST);
    const first = planFirstStep(TYPED);
    expect(Array.from(first)).toEqual(TYPED.assets.map((a) => answer.output.weights[a]!['2']));
    // Both gain in period 1 and are sold in period 2, so each holds what one trade of 0.25 can undo.
    expect(Array.from(first, (w) => +w.toFixed(9))).toEqual([0.25, 0.25, 0.5]);
  });

  it('throws an OptimisationError naming why when there is no optimal plan', () => {
    const infeasible = { ...TYPED, minCashBalance: 1.5 };
    const thrown = (() => {
      try {
        return planFirstStep(infeasible);
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toBeInstanceOf(OptimisationError);
    expect(thrown).toMatchObject({
      status: 'infeasible',
      message: expect.stringMatching(/^the MPO optimiser found no optimal plan \(infeasible: /),
    });
  });

  it('does not change its input', () => {
    const initial = Float64Array.from(TYPED.initial);
    planFirstStep(TYPED);
    expect(TYPED.initial).toEqual(initial);
  });
});

describe('the receding-horizon problem', () => {
  it('starts from held weights with the rest in cash, negatives read as 0, scaled to sum to 1', () => {
    expect(Array.from(startingWeights([0.3, 0.5]))).toEqual([0.3, 0.5, 1 - 0.8]);
    expect(Array.from(startingWeights([-0.2, 0.5]))).toEqual([0, 0.5, 0.5]);
    const over = startingWeights([0.8, 0.7]);
    expect(over[2]).toBe(0);
    expect(over[0]! + over[1]! + over[2]!).toBe(1);
    expect(over[0]! / over[1]!).toBeCloseTo(0.8 / 0.7, 12);
  });

  it('is long-only, cash last, not liquidated at its end, with the defaults elsewhere', () => {
    const problem = longOnlyProblem({
      risky: ['SPY', 'AGG'],
      initial: startingWeights([0.2, 0]),
      returns: [Float64Array.of(0.01, 0.006), Float64Array.of(0, 0)],
      maxWeight: Float64Array.of(0.5, 0.5),
      transactionCost: 0.002,
    });
    expect(problem).toMatchObject({ assets: ['SPY', 'AGG', CASH], periods: 2, liquidateAtEnd: false, risk: null, transactionCost: 0.002 });
    expect(Array.from(problem.minWeight)).toEqual([0, 0]);
    expect(problem.maxTradeSize).toBe(MPO_DEFAULTS.maxTradeSize);
    const first = planFirstStep(problem);
    expect(first[0]).toBeCloseTo(0.5, 9); // SPY's forecast pays for the purchase: up to its cap
    expect(first[1]).toBe(0);
  });
});

/**
 * The request of ../shared/MPO.md and what the MPO tests do with it (API, CLI, model): one copy of
 * the documented example, parameters merged into a request, and the fields a refusal names.
 */
import { expect } from 'vitest';
import { MpoRequestError, parseMpoRequest } from '../../src/mpo/mpo-request.js';
import type { MpoRequestJson } from './mpo-check.js';

/** The request of MPO.md, as a client sends it (its optimum's objective is 0.004). */
export const MPO_EXAMPLE = {
  initial_weights: { GOOG: 0, APPL: 0, CASH: 1 },
  estimated_returns: { GOOG: { '1': 0.05, '2': 0.02, '3': -0.1 }, APPL: { '1': 0.04, '2': 0.01, '3': -0.03 } },
  parameters: {
    min_weight: -1,
    max_weight: 0.1,
    min_cash_balance: 0.1,
    max_leverage: 1,
    max_trade_size: 0.1,
    trade_aversion: 1,
    transaction_cost: 0.01,
  },
} satisfies MpoRequestJson;

export const SOLVERS = ['highs', 'glpk'] as const;

/** `request` with `extra` merged into its parameters. */
export function withParameters<R extends MpoRequestJson>(request: R, extra: NonNullable<R['parameters']>): R {
  return { ...request, parameters: { ...request.parameters, ...extra } };
}

/** The fields the MpoRequestError of a refused request names (the test fails when it is accepted). */
export function refusedFields(request: unknown): string[] {
  try {
    parseMpoRequest(request);
  } catch (error) {
    expect(error).toBeInstanceOf(MpoRequestError);
    return (error as MpoRequestError).details.map((d) => d.field);
  }
  throw new Error('the request was accepted');
}

/**
 * The zod schemas the specs share (backtests, SIP backtests, model portfolios): hyperparameter
 * values and trading costs. Written once here so a stored spec, a request and a CLI flag are
 * checked by the same rule.
 */
import { z } from 'zod';
import type { CostModel } from './transaction-cost.js';

/** A hyperparameter's value as specs take it: `{ lookback: 126, skipMonth: true, cash: 'SHY' }`. */
export const paramValueSchema = z.union([z.number(), z.string(), z.boolean()]);

/** Hyperparameters by name; the strategy's own schema checks names and ranges when the spec is resolved. */
export const hyperparametersSchema = z.record(z.string(), paramValueSchema).default({});

/** Default costs: 5 bps commission and 5 bps slippage a side, roughly a liquid ETF traded at the open. */
export const DEFAULT_COSTS: CostModel = { bps: 5, slippageBps: 5, fixedFee: 0 };

/** The cost fields one by one (CLI flags are coerced with `costFieldsSchema.shape.bps` and so on). */
export const costFieldsSchema = z.strictObject({
  bps: z.number().min(0).max(10_000).default(DEFAULT_COSTS.bps),
  slippageBps: z.number().min(0).max(10_000).default(DEFAULT_COSTS.slippageBps),
  fixedFee: z.number().min(0).default(DEFAULT_COSTS.fixedFee),
});

/** Trading costs as every spec takes them (backtests, portfolios), defaults filled. */
export const costsSchema = costFieldsSchema.default(DEFAULT_COSTS);

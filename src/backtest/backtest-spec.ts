/**
 * A backtest specification: everything that determines a result besides the data and the code.
 * Stored with every result, so a backtest can be re-run from its row alone.
 */
import { z } from 'zod';
import { intervalSchema, normaliseSymbol } from '../data/bar.js';
import { ValidationError } from '../errors.js';
import { getStrategy } from '../strategies/registry.js';
import { resolveParams, type StrategyParams } from '../strategies/strategy.js';
import { calendarDateSchema } from '../util/calendar-date.js';
import type { EngineOptions } from './engine.js';
import { riskFreeFields } from './risk-free.js';
import { costsSchema, hyperparametersSchema } from './spec-schemas.js';

export const backtestSpecSchema = z.strictObject({
  strategy: z.string().min(1),
  params: hyperparametersSchema,
  /** The universe's name when the symbols came from one (kept for the record). */
  universe: z.string().nullable().default(null),
  symbols: z.array(z.string()).min(1, 'the universe is empty: give at least one symbol'),
  interval: intervalSchema.default('1d'),
  /** Trading starts at the first bar on or after `from`; earlier bars only warm up the signals. */
  from: calendarDateSchema.nullable().default(null),
  to: calendarDateSchema.nullable().default(null),
  initialCash: z.number().positive().max(1e15).default(1_000_000),
  fill: z.enum(['next-open', 'next-close']).default('next-open'),
  wholeShares: z.boolean().default(false),
  allowShort: z.boolean().default(false),
  maxLeverage: z.number().min(1).max(10).default(1),
  costs: costsSchema,
  /** Buy-and-hold comparison symbol (adjusted closes). */
  benchmark: z.string().nullable().default(null),
  /** What Sharpe, Sortino, alpha and the gates measure against (risk-free.ts): a constant, or a symbol's returns. */
  ...riskFreeFields,
});

export type BacktestSpecInput = z.input<typeof backtestSpecSchema>;

/** A validated spec whose params are the strategy's resolved hyperparameters (defaults filled in). */
export type BacktestSpec = Omit<z.output<typeof backtestSpecSchema>, 'params'> & { readonly params: StrategyParams };

/**
 * Validates a spec (CLI flags, stored JSON, notebook object) and resolves the strategy's params.
 * @example parseBacktestSpec({ strategy: 'xs-momentum', symbols: ['SPY', 'TLT'], params: { topPct: 50 } })
 */
export function parseBacktestSpec(input: BacktestSpecInput): BacktestSpec {
  const parsed = backtestSpecSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ValidationError(issue.path.join('.') || 'spec', issue.message);
  }
  const spec = parsed.data;
  const strategy = getStrategy(spec.strategy);
  const symbols = spec.symbols.map((s, i) => normaliseSymbol(s, `symbols[${i}]`));
  if (new Set(symbols).size !== symbols.length) throw new ValidationError('symbols', `a symbol appears twice in ${symbols.join(', ')}`);
  if (spec.from && spec.to && spec.from > spec.to) throw new ValidationError('from', `from ${spec.from} is after to ${spec.to}`);
  if (spec.riskFreeSymbol && spec.riskFreeRate !== 0)
    throw new ValidationError('riskFreeRate', 'give a risk-free rate or a risk-free symbol, not both');
  return {
    ...spec,
    symbols,
    benchmark: spec.benchmark ? normaliseSymbol(spec.benchmark, 'benchmark') : null,
    riskFreeSymbol: spec.riskFreeSymbol ? normaliseSymbol(spec.riskFreeSymbol, 'riskFreeSymbol') : null,
    params: resolveParams(strategy, spec.interval, spec.params),
  };
}

export function engineOptionsOf(spec: BacktestSpec): EngineOptions {
  return {
    initialCash: spec.initialCash,
    fill: spec.fill,
    costs: spec.costs,
    wholeShares: spec.wholeShares,
    allowShort: spec.allowShort,
    maxLeverage: spec.maxLeverage,
  };
}

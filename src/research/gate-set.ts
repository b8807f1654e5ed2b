/**
 * A gate set: the thresholds a backtest must meet before it is trusted (simulated out of sample,
 * followed by a model portfolio). Named sets live in the configuration file; CLI flags override.
 * Every threshold is optional; one that is not set is not checked.
 */
import { z } from 'zod';
import { ValidationError } from '../errors.js';

const probability = z.number().min(0, 'must be a probability in [0, 1]').max(1, 'must be a probability in [0, 1]');

export const gateSetSchema = z.strictObject({
  /** Annualised Sharpe ratio, at least. */
  minSharpe: z.number().min(-10).max(10).optional(),
  /** Compound annual growth rate, a fraction (0.05 = 5%), at least. */
  minCagr: z.number().min(-1).max(10).optional(),
  /** Deepest drawdown, a fraction (0.3 = 30%), at most. */
  maxDrawdown: z.number().min(0, 'must be a fraction in [0, 1]').max(1, 'must be a fraction in [0, 1]').optional(),
  /** Closed trades, at least. */
  minTrades: z.number().int('must be a whole number').min(0, 'cannot be negative').optional(),
  /** Deflated Sharpe ratio (the probability that the true Sharpe is above the best of N luck draws), at least. */
  minDeflatedSharpe: probability.optional(),
  /** Probability of backtest overfitting of the sweep (CSCV), at most. */
  maxPbo: probability.optional(),
});

export type GateSet = z.infer<typeof gateSetSchema>;

/** Used when the configuration names none. */
export const DEFAULT_GATE_SETS: Readonly<Record<string, GateSet>> = {
  default: { minSharpe: 0.4, minCagr: 0.02, maxDrawdown: 0.4, minTrades: 10, minDeflatedSharpe: 0.9, maxPbo: 0.5 },
  strict: { minSharpe: 0.8, minCagr: 0.05, maxDrawdown: 0.25, minTrades: 30, minDeflatedSharpe: 0.95, maxPbo: 0.2 },
};

/** Validates a gate set from a file or flags; errors name the threshold. */
export function parseGateSet(raw: unknown, where = 'gates'): GateSet {
  const parsed = gateSetSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ValidationError(`${where}.${issue.path.join('.')}`.replace(/\.$/, ''), issue.message);
  }
  return parsed.data;
}

/** A named set from those known, with overrides applied on top. */
export function resolveGateSet(sets: Readonly<Record<string, GateSet>>, name: string, overrides: Partial<GateSet> = {}): GateSet {
  const base = sets[name];
  if (!base) throw new ValidationError('gates', `unknown gate set ${JSON.stringify(name)}; known: ${Object.keys(sets).join(', ')}`);
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  return parseGateSet({ ...base, ...defined }, name);
}

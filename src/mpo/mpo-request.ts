/**
 * The MPO request of ../shared/MPO.md (compatible with the earlier Python service), validated
 * field by field: every problem is reported, not just the first, so a client fixes its request
 * in one round.
 */
import { z } from 'zod';
import { ValidationError } from '../errors.js';

export const CASH = 'CASH';
const WEIGHT_TOLERANCE = 1e-6;

export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

/** A request that is not valid; `details` names every bad field. */
export class MpoRequestError extends ValidationError {
  readonly details: readonly FieldProblem[];
  constructor(details: readonly FieldProblem[]) {
    super(details[0]?.field ?? 'request', `${details.length} problem(s): ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`);
    this.details = details;
  }
}

const finite = z.number({ error: 'expected a number' }).refine(Number.isFinite, 'expected a finite number');
const namedMatrix = z.record(z.string(), z.record(z.string(), finite));

const parametersSchema = z.strictObject({
  min_weight: finite.default(-1),
  max_weight: finite.default(1),
  min_cash_balance: finite.default(0),
  max_leverage: finite.min(0, 'must not be negative').default(1),
  max_trade_size: finite.min(0, 'must not be negative').default(1),
  trade_aversion: finite.min(0, 'must not be negative').default(1),
  transaction_cost: finite.min(0, 'must not be negative').optional(),
  /** The old documentation's name for transaction_cost. */
  trade_cost: finite.min(0, 'must not be negative').optional(),
  // Extensions (opt-in; the defaults keep the compatible formulation exact).
  allow_short: z.boolean().default(false),
  short_borrow_cost: finite.min(0, 'must not be negative').default(0),
  cost_on_cash: z.boolean().default(true),
  per_asset: z.record(z.string(), z.strictObject({ min_weight: finite.optional(), max_weight: finite.optional() })).default({}),
  risk_aversion: finite.min(0, 'must not be negative').default(0),
  /** Covariance of per-period returns of the non-cash assets, by name. */
  covariance: namedMatrix.optional(),
  /** Or a factor model: returns = loadings x factors + idiosyncratic. */
  factor_model: z
    .strictObject({
      loadings: z.record(z.string(), z.array(finite).min(1)),
      factor_covariance: z.array(z.array(finite)).min(1),
      idiosyncratic: z.record(z.string(), finite.min(0, 'variances must not be negative')),
    })
    .optional(),
  solver: z.enum(['highs', 'glpk']).default('highs'),
  /** Seconds the solver may take (the server caps it). */
  time_limit: finite.gt(0, 'must be positive').optional(),
});

const requestSchema = z.object({
  initial_weights: z.record(z.string(), finite),
  estimated_returns: z.record(z.string(), z.record(z.string(), finite)),
  parameters: parametersSchema.default(() => parametersSchema.parse({})),
});

export type MpoParameters = z.output<typeof parametersSchema> & { readonly transaction_cost: number };

export interface MpoProblem {
  /** Every asset in request order, CASH included (response keys keep this order). */
  readonly assets: readonly string[];
  /** Non-cash assets in request order. */
  readonly risky: readonly string[];
  readonly periods: number;
  /** Initial weights, in `assets` order. */
  readonly initial: Float64Array;
  /** returns[i][t - 1]: estimated return of risky asset i in period t. */
  readonly returns: readonly Float64Array[];
  readonly parameters: MpoParameters;
}

function problemsOf(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({ field: issue.path.map(String).join('.') || 'request', message: issue.message }));
}

/**
 * Validates a request and turns it into arrays; throws MpoRequestError naming every bad field.
 * @example const problem = parseMpoRequest(JSON.parse(body))
 */
export function parseMpoRequest(raw: unknown): MpoProblem {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new MpoRequestError([{ field: 'request', message: 'expected a JSON object' }]);
  const parsed = requestSchema.safeParse(raw);
  if (!parsed.success) throw new MpoRequestError(problemsOf(parsed.error));
  const { initial_weights: weights, estimated_returns: returns, parameters } = parsed.data;
  const problems: FieldProblem[] = [];
  const assets = Object.keys(weights);
  const risky = assets.filter((a) => a !== CASH);

  if (!(CASH in weights)) problems.push({ field: 'initial_weights.CASH', message: 'required: the cash weight' });
  const total = assets.reduce((sum, a) => sum + weights[a]!, 0);
  if (assets.length > 0 && Math.abs(total - 1) > WEIGHT_TOLERANCE)
    problems.push({ field: 'initial_weights', message: `weights must sum to 1 (they sum to ${total})` });
  if (CASH in returns) problems.push({ field: 'estimated_returns.CASH', message: 'cash has no estimated returns' });
  for (const asset of Object.keys(returns)) {
    if (asset !== CASH && !(asset in weights))
      problems.push({ field: `estimated_returns.${asset}`, message: 'not an asset of initial_weights' });
  }
  let periods = 0;
  for (const [i, asset] of risky.entries()) {
    const byPeriod = returns[asset];
    if (!byPeriod) {
      problems.push({ field: `estimated_returns.${asset}`, message: 'missing: every non-cash asset needs estimated returns' });
      continue;
    }
    const keys = Object.keys(byPeriod);
    const consecutive =
      keys.length > 0 &&
      keys
        .map(Number)
        .sort((a, b) => a - b)
        .every((p, k) => p === k + 1) &&
      keys.every((k) => /^[1-9]\d*$/.test(k));
    if (!consecutive)
      problems.push({
        field: `estimated_returns.${asset}`,
        message: `periods must be "1".."P" (consecutive integers from 1), got ${JSON.stringify(keys)}`,
      });
    else if (i === 0 || periods === 0) periods = keys.length;
    else if (keys.length !== periods)
      problems.push({ field: `estimated_returns.${asset}`, message: `has ${keys.length} periods; the others have ${periods}` });
  }
  if (risky.length === 0 && CASH in weights) problems.push({ field: 'initial_weights', message: 'needs at least one non-cash asset' });

  const cost = resolveCost(parameters.transaction_cost, parameters.trade_cost, problems);
  if (parameters.min_weight > parameters.max_weight)
    problems.push({ field: 'parameters.min_weight', message: `is above max_weight (${parameters.min_weight} > ${parameters.max_weight})` });
  for (const [asset, bounds] of Object.entries(parameters.per_asset)) {
    if (!risky.includes(asset))
      problems.push({ field: `parameters.per_asset.${asset}`, message: 'not a non-cash asset of initial_weights' });
    const lower = bounds.min_weight ?? parameters.min_weight;
    const upper = bounds.max_weight ?? parameters.max_weight;
    if (lower > upper)
      problems.push({ field: `parameters.per_asset.${asset}`, message: `min_weight ${lower} is above max_weight ${upper}` });
  }
  checkRiskModel(parameters, risky, problems);
  if (parameters.risk_aversion > 0 && parameters.solver === 'glpk')
    problems.push({ field: 'parameters.solver', message: 'glpk solves linear programmes only; risk_aversion needs highs' });
  if (problems.length > 0) throw new MpoRequestError(problems);

  return {
    assets,
    risky,
    periods,
    initial: Float64Array.from(assets, (a) => weights[a]!),
    returns: risky.map((a) => Float64Array.from({ length: periods }, (_, t) => returns[a]![String(t + 1)]!)),
    parameters: { ...parameters, transaction_cost: cost },
  };
}

/** transaction_cost (default 0.001) or its old alias trade_cost; both given and different is an error. */
function resolveCost(cost: number | undefined, alias: number | undefined, problems: FieldProblem[]): number {
  if (cost !== undefined && alias !== undefined && cost !== alias) {
    problems.push({
      field: 'parameters.trade_cost',
      message: `is the old name of transaction_cost; both are given and differ (${alias} vs ${cost}): give one`,
    });
  }
  return cost ?? alias ?? 0.001;
}

function checkRiskModel(parameters: z.output<typeof parametersSchema>, risky: readonly string[], problems: FieldProblem[]): void {
  const { covariance, factor_model: factors } = parameters;
  if (covariance && factors) problems.push({ field: 'parameters.covariance', message: 'give covariance or factor_model, not both' });
  if (parameters.risk_aversion > 0 && !covariance && !factors)
    problems.push({ field: 'parameters.risk_aversion', message: 'needs a covariance or a factor_model' });
  if (covariance) {
    for (const a of risky) {
      for (const b of risky) {
        const value = covariance[a]?.[b];
        if (value === undefined) problems.push({ field: `parameters.covariance.${a}.${b}`, message: 'missing' });
        else if (covariance[b]?.[a] !== undefined && Math.abs(covariance[b]![a]! - value) > 1e-12)
          problems.push({ field: `parameters.covariance.${a}.${b}`, message: 'the matrix must be symmetric' });
      }
      if ((covariance[a]?.[a] ?? 0) < 0)
        problems.push({ field: `parameters.covariance.${a}.${a}`, message: 'a variance must not be negative' });
    }
  }
  if (factors) {
    const k = factors.factor_covariance.length;
    factors.factor_covariance.forEach((row, i) => {
      if (row.length !== k)
        problems.push({ field: `parameters.factor_model.factor_covariance.${i}`, message: `expected ${k} values (a square matrix)` });
    });
    for (const a of risky) {
      if (factors.loadings[a]?.length !== k)
        problems.push({ field: `parameters.factor_model.loadings.${a}`, message: `expected ${k} loadings` });
      if (factors.idiosyncratic[a] === undefined)
        problems.push({ field: `parameters.factor_model.idiosyncratic.${a}`, message: 'missing' });
    }
  }
}

/**
 * The HTTP adapter of the optimiser: the MPO request of ../shared/MPO.md (compatible with the
 * earlier Python service), validated field by field and mapped onto the typed MpoProblem. Every
 * problem is reported, not just the first, so a client fixes its request in one round.
 */
import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { CASH, cashTakesRounding, MPO_DEFAULTS, type MpoProblem, type MpoRisk } from './mpo-problem.js';

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
  min_weight: finite.default(MPO_DEFAULTS.minWeight),
  max_weight: finite.default(MPO_DEFAULTS.maxWeight),
  min_cash_balance: finite.default(MPO_DEFAULTS.minCashBalance),
  max_leverage: finite.min(0, 'must not be negative').default(MPO_DEFAULTS.maxLeverage),
  max_trade_size: finite.min(0, 'must not be negative').default(MPO_DEFAULTS.maxTradeSize),
  trade_aversion: finite.min(0, 'must not be negative').default(MPO_DEFAULTS.tradeAversion),
  transaction_cost: finite.min(0, 'must not be negative').optional(),
  /** The old documentation's name for transaction_cost. */
  trade_cost: finite.min(0, 'must not be negative').optional(),
  // Extensions (opt-in; the defaults keep the compatible formulation exact).
  allow_short: z.boolean().default(MPO_DEFAULTS.allowShort),
  short_borrow_cost: finite.min(0, 'must not be negative').default(MPO_DEFAULTS.shortBorrowCost),
  cost_on_cash: z.boolean().default(MPO_DEFAULTS.costOnCash),
  /** Sell everything after the last period (the compatible model); false leaves the final weights free. */
  liquidate_at_end: z.boolean().default(MPO_DEFAULTS.liquidateAtEnd),
  per_asset: z.record(z.string(), z.strictObject({ min_weight: finite.optional(), max_weight: finite.optional() })).default({}),
  risk_aversion: finite.min(0, 'must not be negative').default(0),
  /** The risk term: variance (a QP, with covariance or factor_model), or MAD or CVaR over return_scenarios (an LP). */
  risk_measure: z.enum(['variance', 'mad', 'cvar']).default('variance'),
  /** Equally likely per-period returns of every non-cash asset, by name (for mad and cvar). */
  return_scenarios: z.array(z.record(z.string(), finite)).min(2, 'needs at least 2 scenarios').optional(),
  /** CVaR's alpha: the risk is the mean loss of the worst 1 - alpha share of the scenarios. */
  cvar_level: finite.gt(0, 'must be in (0, 1)').lt(1, 'must be in (0, 1)').default(0.95),
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
  solver: z.enum(['highs', 'glpk']).default(MPO_DEFAULTS.solver),
  /** Seconds the solver may take (the server caps it). */
  time_limit: finite.gt(0, 'must be positive').optional(),
});

const requestSchema = z.object({
  initial_weights: z.record(z.string(), finite),
  estimated_returns: z.record(z.string(), z.record(z.string(), finite)),
  parameters: parametersSchema.default(() => parametersSchema.parse({})),
});

/** The request's parameters with their defaults, in the compatible spelling. */
export type MpoParameters = z.output<typeof parametersSchema> & { readonly transaction_cost: number };

/** A valid request: the typed problem (assets in request order), and the parameters it came from. */
export interface MpoRequest extends MpoProblem {
  readonly parameters: MpoParameters;
}

function problemsOf(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({ field: issue.path.map(String).join('.') || 'request', message: issue.message }));
}

/**
 * Validates a request and maps it onto the typed problem; throws MpoRequestError naming every bad field.
 * @example const problem = parseMpoRequest(JSON.parse(body))
 */
export function parseMpoRequest(raw: unknown): MpoRequest {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new MpoRequestError([{ field: 'request', message: 'expected a JSON object' }]);
  // Checks on the names of assets and periods run on the raw request, so they are reported
  // together with any type errors, not only once every value has the right type.
  const { problems, periods } = keyProblems(raw as Record<string, unknown>);
  const parsed = requestSchema.safeParse(raw);
  if (!parsed.success) throw new MpoRequestError([...problemsOf(parsed.error), ...problems]);
  const { initial_weights: weights, estimated_returns: returns, parameters } = parsed.data;
  const assets = Object.keys(weights);
  const risky = assets.filter((a) => a !== CASH);
  const total = assets.reduce((sum, a) => sum + weights[a]!, 0);
  if (assets.length > 0 && Math.abs(total - 1) > WEIGHT_TOLERANCE)
    problems.push({ field: 'initial_weights', message: `weights must sum to 1 (they sum to ${total})` });

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
  checkScenarios(parameters.return_scenarios, risky, problems);
  if (parameters.risk_aversion > 0 && parameters.risk_measure === 'variance' && parameters.solver === 'glpk')
    problems.push({
      field: 'parameters.solver',
      message: 'glpk solves linear programmes only; risk_aversion with the variance needs highs (or risk_measure "mad" or "cvar")',
    });
  if (problems.length > 0) throw new MpoRequestError(problems);

  const p = parameters;
  const bound = (a: string, side: 'min_weight' | 'max_weight') => p.per_asset[a]?.[side] ?? p[side];
  return {
    assets,
    risky,
    periods,
    // Within the tolerance, the difference from 1 goes to cash (a sum of 1 + 5e-7 could not end all in cash).
    initial: cashTakesRounding(
      Float64Array.from(assets, (a) => weights[a]!),
      assets.indexOf(CASH),
    ),
    returns: risky.map((a) => Float64Array.from({ length: periods }, (_, t) => returns[a]![String(t + 1)]!)),
    minWeight: Float64Array.from(risky, (a) => bound(a, 'min_weight')),
    maxWeight: Float64Array.from(risky, (a) => bound(a, 'max_weight')),
    minCashBalance: p.min_cash_balance,
    maxLeverage: p.max_leverage,
    maxTradeSize: p.max_trade_size,
    tradeAversion: p.trade_aversion,
    transactionCost: cost,
    allowShort: p.allow_short,
    shortBorrowCost: p.short_borrow_cost,
    costOnCash: p.cost_on_cash,
    liquidateAtEnd: p.liquidate_at_end,
    risk: riskOf(p, risky),
    solver: p.solver,
    ...(p.time_limit === undefined ? {} : { timeLimit: p.time_limit }),
    parameters: { ...p, transaction_cost: cost },
  };
}

/** The risk term of valid parameters, its inputs in `risky` order; null when risk_aversion is 0. */
function riskOf(p: z.output<typeof parametersSchema>, risky: readonly string[]): MpoRisk | null {
  const aversion = p.risk_aversion;
  if (aversion === 0) return null;
  const byAsset = (values: Readonly<Record<string, number>>) => Float64Array.from(risky, (a) => values[a]!);
  if (p.risk_measure === 'variance') {
    if (p.covariance) return { measure: 'covariance', aversion, covariance: risky.map((a) => byAsset(p.covariance![a]!)) };
    const factors = p.factor_model!;
    return {
      measure: 'factors',
      aversion,
      loadings: risky.map((a) => Float64Array.from(factors.loadings[a]!)),
      factorCovariance: factors.factor_covariance.map((row) => Float64Array.from(row)),
      idiosyncratic: byAsset(factors.idiosyncratic),
    };
  }
  const scenarios = p.return_scenarios!.map(byAsset);
  return p.risk_measure === 'mad' ? { measure: 'mad', aversion, scenarios } : { measure: 'cvar', aversion, level: p.cvar_level, scenarios };
}

/** Names that an object built by assignment would swallow (`__proto__`) or that collide with Object's own. */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function plainObject(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Problems with the asset and period names: CASH, unknown or missing assets, periods not "1".."P". */
function keyProblems(raw: Record<string, unknown>): { problems: FieldProblem[]; periods: number } {
  const problems: FieldProblem[] = [];
  const weights = plainObject(raw.initial_weights);
  const returns = plainObject(raw.estimated_returns);
  const parameters = plainObject(raw.parameters);
  const scenarios: unknown = parameters?.return_scenarios;
  const named: [string, Record<string, unknown> | undefined][] = [
    ['initial_weights', weights],
    ['estimated_returns', returns],
    ['parameters.per_asset', plainObject(parameters?.per_asset)],
    ...(Array.isArray(scenarios) ? scenarios : []).map((scenario, i): [string, Record<string, unknown> | undefined] => [
      `parameters.return_scenarios.${i}`,
      plainObject(scenario),
    ]),
  ];
  for (const [field, object] of named) {
    for (const key of Object.keys(object ?? {}))
      if (RESERVED_KEYS.has(key)) problems.push({ field: `${field}.${key}`, message: 'a reserved name, not an asset' });
  }
  let periods = 0;
  if (!weights) return { problems, periods };
  const assets = Object.keys(weights).filter((a) => !RESERVED_KEYS.has(a));
  const risky = assets.filter((a) => a !== CASH);
  if (!(CASH in weights)) problems.push({ field: 'initial_weights.CASH', message: 'required: the cash weight' });
  if (risky.length === 0 && CASH in weights) problems.push({ field: 'initial_weights', message: 'needs at least one non-cash asset' });
  if (!returns) return { problems, periods };
  if (CASH in returns) problems.push({ field: 'estimated_returns.CASH', message: 'cash has no estimated returns' });
  for (const asset of Object.keys(returns)) {
    if (asset !== CASH && !RESERVED_KEYS.has(asset) && !assets.includes(asset))
      problems.push({ field: `estimated_returns.${asset}`, message: 'not an asset of initial_weights' });
  }
  for (const asset of risky) {
    const byPeriod = plainObject(returns[asset]);
    if (!(asset in returns)) {
      problems.push({ field: `estimated_returns.${asset}`, message: 'missing: every non-cash asset needs estimated returns' });
      continue;
    }
    if (!byPeriod) continue; // a type error, reported by the schema
    const keys = Object.keys(byPeriod);
    const consecutive =
      keys.length > 0 &&
      keys.every((k) => /^[1-9]\d*$/.test(k)) &&
      keys
        .map(Number)
        .sort((a, b) => a - b)
        .every((p, k) => p === k + 1);
    if (!consecutive)
      problems.push({
        field: `estimated_returns.${asset}`,
        message: `periods must be "1".."P" (consecutive integers from 1), got ${JSON.stringify(keys)}`,
      });
    else if (periods === 0) periods = keys.length;
    else if (keys.length !== periods)
      problems.push({ field: `estimated_returns.${asset}`, message: `has ${keys.length} periods; the others have ${periods}` });
  }
  return { problems, periods };
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

/** Which risk inputs go with which risk_measure: covariance or factor_model with the variance, return_scenarios with mad and cvar. */
function checkRiskInputs(parameters: z.output<typeof parametersSchema>, problems: FieldProblem[]): void {
  const { covariance, factor_model: factors, risk_measure: measure, return_scenarios: scenarios } = parameters;
  if (measure === 'variance') {
    if (scenarios)
      problems.push({
        field: 'parameters.return_scenarios',
        message: 'go with risk_measure "mad" or "cvar"; the variance (the default risk_measure) uses covariance or factor_model',
      });
    if (parameters.risk_aversion > 0 && !covariance && !factors)
      problems.push({ field: 'parameters.risk_aversion', message: 'needs a covariance or a factor_model' });
    return;
  }
  for (const [field, given] of [
    ['covariance', covariance],
    ['factor_model', factors],
  ] as const) {
    if (given)
      problems.push({
        field: `parameters.${field}`,
        message: `goes with risk_measure "variance"; risk_measure "${measure}" uses return_scenarios`,
      });
  }
  if (parameters.risk_aversion > 0 && !scenarios)
    problems.push({
      field: 'parameters.return_scenarios',
      message: `required: risk_measure "${measure}" with risk_aversion > 0 needs them`,
    });
}

/** Every scenario names every non-cash asset and nothing else (reserved names are reported by keyProblems). */
function checkScenarios(
  scenarios: readonly Record<string, number>[] | undefined,
  risky: readonly string[],
  problems: FieldProblem[],
): void {
  const known = new Set(risky);
  scenarios?.forEach((scenario, i) => {
    const field = (asset: string) => `parameters.return_scenarios.${i}.${asset}`;
    for (const asset of risky)
      if (!Object.hasOwn(scenario, asset)) problems.push({ field: field(asset), message: 'missing: every non-cash asset needs a return' });
    for (const asset of Object.keys(scenario)) {
      if (asset === CASH) problems.push({ field: field(asset), message: 'cash has no return scenarios' });
      else if (!RESERVED_KEYS.has(asset) && !known.has(asset))
        problems.push({ field: field(asset), message: 'not an asset of initial_weights' });
    }
  });
}

function checkRiskModel(parameters: z.output<typeof parametersSchema>, risky: readonly string[], problems: FieldProblem[]): void {
  const { covariance, factor_model: factors } = parameters;
  if (covariance && factors) problems.push({ field: 'parameters.covariance', message: 'give covariance or factor_model, not both' });
  checkRiskInputs(parameters, problems);
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

/**
 * Independent checks of an MPO response, written from ../shared/MPO.md only (no code of src/mpo):
 * the request's parameters with MPO.md's defaults, every constraint of the model verified on the
 * returned weights and trades, and the objective recomputed from them.
 */

/** The JSON request of MPO.md, as a client sends it. */
export interface MpoRequestJson {
  initial_weights: Record<string, number>;
  estimated_returns: Record<string, Record<string, number>>;
  parameters?: MpoParametersJson;
}

export interface MpoParametersJson {
  min_weight?: number;
  max_weight?: number;
  min_cash_balance?: number;
  max_leverage?: number;
  max_trade_size?: number;
  trade_aversion?: number;
  transaction_cost?: number;
  trade_cost?: number;
  allow_short?: boolean;
  short_borrow_cost?: number;
  cost_on_cash?: boolean;
  /** Not in MPO.md's list yet: false leaves the final weights free instead of all cash. */
  liquidate_at_end?: boolean;
  per_asset?: Record<string, { min_weight?: number; max_weight?: number }>;
  risk_aversion?: number;
  covariance?: Record<string, Record<string, number>>;
  factor_model?: { loadings: Record<string, number[]>; factor_covariance: number[][]; idiosyncratic: Record<string, number> };
  solver?: 'highs' | 'glpk';
  time_limit?: number;
}

/** The JSON response of MPO.md. */
export interface MpoResponseJson {
  readonly output: {
    readonly weights: Readonly<Record<string, Readonly<Record<string, number | null>>>>;
    readonly trades: Readonly<Record<string, Readonly<Record<string, number | null>>>>;
  };
  readonly status: number;
  readonly message?: string;
}

export const CASH = 'CASH';

/** The request's parameters with MPO.md's defaults; sigma is the covariance of the risky assets (in request order) or null. */
export interface ResolvedMpo {
  readonly assets: string[];
  readonly risky: string[];
  readonly periods: number;
  readonly initial: Record<string, number>;
  readonly returns: Record<string, number[]>;
  readonly minWeight: number;
  readonly maxWeight: number;
  readonly minCash: number;
  readonly maxLeverage: number;
  readonly maxTrade: number;
  readonly tradeAversion: number;
  readonly cost: number;
  readonly allowShort: boolean;
  readonly borrowCost: number;
  readonly costOnCash: boolean;
  readonly liquidate: boolean;
  readonly gamma: number;
  readonly sigma: number[][] | null;
  /** Bounds of the post-trade weight w + z of one non-cash asset, per_asset overrides applied (before long-only). */
  bounds(asset: string): [number, number];
}

/** Sigma = B F B' + D of a factor model, over `risky` in order. */
export function factorCovariance(model: NonNullable<MpoParametersJson['factor_model']>, risky: readonly string[]): number[][] {
  const F = model.factor_covariance;
  return risky.map((a) =>
    risky.map((b) => {
      let sum = a === b ? model.idiosyncratic[a]! : 0;
      const la = model.loadings[a]!;
      const lb = model.loadings[b]!;
      for (let p = 0; p < F.length; p++) for (let q = 0; q < F.length; q++) sum += la[p]! * F[p]![q]! * lb[q]!;
      return sum;
    }),
  );
}

export function resolveMpo(request: MpoRequestJson): ResolvedMpo {
  const p = request.parameters ?? {};
  const assets = Object.keys(request.initial_weights);
  const risky = assets.filter((a) => a !== CASH);
  const periods = Object.keys(request.estimated_returns[risky[0]!] ?? {}).length;
  const returns = Object.fromEntries(
    risky.map((a) => [a, Array.from({ length: periods }, (_, k) => request.estimated_returns[a]![String(k + 1)]!)]),
  );
  const minWeight = p.min_weight ?? -1;
  const maxWeight = p.max_weight ?? 1;
  const gamma = p.risk_aversion ?? 0;
  const sigma = p.covariance
    ? risky.map((a) => risky.map((b) => p.covariance![a]![b]!))
    : p.factor_model
      ? factorCovariance(p.factor_model, risky)
      : null;
  return {
    assets,
    risky,
    periods,
    initial: { ...request.initial_weights },
    returns,
    minWeight,
    maxWeight,
    minCash: p.min_cash_balance ?? 0,
    maxLeverage: p.max_leverage ?? 1,
    maxTrade: p.max_trade_size ?? 1,
    tradeAversion: p.trade_aversion ?? 1,
    cost: p.transaction_cost ?? p.trade_cost ?? 0.001,
    allowShort: p.allow_short ?? false,
    borrowCost: p.short_borrow_cost ?? 0,
    costOnCash: p.cost_on_cash ?? true,
    liquidate: p.liquidate_at_end ?? true,
    gamma,
    sigma,
    bounds: (asset) => [p.per_asset?.[asset]?.min_weight ?? minWeight, p.per_asset?.[asset]?.max_weight ?? maxWeight],
  };
}

/** A response's weights and trades as numbers, w[a][t - 1] for t = 1..P+1 and z[a][t - 1] for t = 1..P; problems for missing entries. */
export function readSeries(
  resolved: ResolvedMpo,
  response: MpoResponseJson,
): { w: Record<string, number[]>; z: Record<string, number[]>; problems: string[] } {
  const problems: string[] = [];
  const P = resolved.periods;
  const read = (kind: 'weights' | 'trades', asset: string, length: number): number[] => {
    const series = response.output[kind][asset];
    if (!series) {
      problems.push(`${kind}.${asset} is missing`);
      return new Array<number>(length).fill(Number.NaN);
    }
    const keys = Object.keys(series).sort((a, b) => Number(a) - Number(b));
    const expected = Array.from({ length }, (_, k) => String(k + 1));
    if (keys.join() !== expected.join()) problems.push(`${kind}.${asset} has periods ${keys.join()}, expected ${expected.join()}`);
    return expected.map((key) => {
      const value = series[key];
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        problems.push(`${kind}.${asset}.${key} is ${String(value)}`);
        return Number.NaN;
      }
      return value;
    });
  };
  const w = Object.fromEntries(resolved.assets.map((a) => [a, read('weights', a, P + 1)]));
  const z = Object.fromEntries(resolved.assets.map((a) => [a, read('trades', a, P)]));
  for (const kind of ['weights', 'trades'] as const)
    for (const asset of Object.keys(response.output[kind]))
      if (!resolved.assets.includes(asset)) problems.push(`${kind}.${asset}: not an asset`);
  return { w, z, problems };
}

/**
 * Every constraint of MPO.md on the returned weights and trades, each to `tolerance`; returns
 * one line per violation (empty: all hold).
 */
export function constraintViolations(request: MpoRequestJson, response: MpoResponseJson, tolerance = 1e-7): string[] {
  const m = resolveMpo(request);
  const { w, z, problems } = readSeries(m, response);
  const out = [...problems];
  const P = m.periods;
  const check = (ok: boolean, what: string) => {
    if (!ok) out.push(what);
  };
  for (const a of m.assets) {
    check(Math.abs(w[a]![0]! - m.initial[a]!) <= tolerance, `w[${a},1] = ${w[a]![0]} but the initial weight is ${m.initial[a]}`);
    const final = a === CASH ? 1 : 0;
    if (m.liquidate) check(Math.abs(w[a]![P]! - final) <= tolerance, `w[${a},${P + 1}] = ${w[a]![P]}, not liquidated to ${final}`);
    for (let t = 1; t <= P; t++) {
      const wt = w[a]![t - 1]!;
      const zt = z[a]![t - 1]!;
      const h = wt + zt;
      check(Math.abs(w[a]![t]! - h) <= tolerance, `w[${a},${t + 1}] = ${w[a]![t]} != w + z = ${h}`);
      if (!m.allowShort) check(h >= -tolerance, `long only: w+z[${a},${t}] = ${h} < 0`);
      if (a === CASH) {
        check(h >= m.minCash - tolerance, `cash w+z at ${t} = ${h} < min_cash_balance ${m.minCash}`);
        continue;
      }
      const [lower, upper] = m.bounds(a);
      check(h >= lower - tolerance, `w+z[${a},${t}] = ${h} < min_weight ${lower}`);
      check(h <= upper + tolerance, `w+z[${a},${t}] = ${h} > max_weight ${upper}`);
      check(Math.abs(zt) <= m.maxTrade + tolerance, `|z[${a},${t}]| = ${Math.abs(zt)} > max_trade_size ${m.maxTrade}`);
    }
  }
  for (let t = 1; t <= P; t++) {
    const budget = m.assets.reduce((sum, a) => sum + z[a]![t - 1]!, 0);
    check(Math.abs(budget) <= tolerance, `sum of trades at ${t} = ${budget} != 0`);
    const gross = m.risky.reduce((sum, a) => sum + Math.abs(w[a]![t - 1]! + z[a]![t - 1]!), 0);
    check(gross <= m.maxLeverage + tolerance, `gross exposure at ${t} = ${gross} > max_leverage ${m.maxLeverage}`);
  }
  return out;
}

/** The objective's parts at given weights and trades (see mpoObjective). */
export interface ObjectiveParts {
  /** sum over t and non-cash a of r[a,t] (w + z). */
  readonly expectedReturn: number;
  /** trade_aversion * transaction_cost * sum |z| (all assets, or non-cash only when cost_on_cash is false). */
  readonly tradingCost: number;
  /** short_borrow_cost * sum over non-cash of max(-(w + z), 0). */
  readonly borrowCost: number;
  /** sum over t of h_t' Sigma h_t, h_t = (w + z) of the non-cash assets (0 without a risk model). */
  readonly variance: number;
  /** expectedReturn - tradingCost - borrowCost - risk_aversion * variance. */
  readonly objective: number;
}

export function objectiveParts(request: MpoRequestJson, response: MpoResponseJson): ObjectiveParts {
  const m = resolveMpo(request);
  const { w, z } = readSeries(m, response);
  let expectedReturn = 0;
  let traded = 0;
  let shortSum = 0;
  let variance = 0;
  for (let t = 1; t <= m.periods; t++) {
    const h = m.risky.map((a) => w[a]![t - 1]! + z[a]![t - 1]!);
    m.risky.forEach((a, i) => {
      expectedReturn += m.returns[a]![t - 1]! * h[i]!;
      shortSum += Math.max(-h[i]!, 0);
    });
    for (const a of m.assets) if (a !== CASH || m.costOnCash) traded += Math.abs(z[a]![t - 1]!);
    if (m.sigma) for (let i = 0; i < h.length; i++) for (let j = 0; j < h.length; j++) variance += h[i]! * m.sigma[i]![j]! * h[j]!;
  }
  const tradingCost = m.tradeAversion * m.cost * traded;
  const borrowCost = m.borrowCost * shortSum;
  return { expectedReturn, tradingCost, borrowCost, variance, objective: expectedReturn - tradingCost - borrowCost - m.gamma * variance };
}

/** The model's objective recomputed from the returned weights and trades. */
export function mpoObjective(request: MpoRequestJson, response: MpoResponseJson): number {
  return objectiveParts(request, response).objective;
}

/** Sum over t of |z[CASH,t]| of a response: what cost_on_cash charges on top of the non-cash trades. */
export function cashTurnover(response: MpoResponseJson): number {
  return Object.values(response.output.trades[CASH] ?? {}).reduce<number>((sum, v) => sum + Math.abs(v ?? Number.NaN), 0);
}

/**
 * The multi-period optimisation model of ../shared/MPO.md (after Boyd et al. 2017), as a
 * LinearModel. Indices: assets a (CASH included), periods t = 1..P, times 1..P+1.
 *
 *   maximise  sum_t sum_{a != CASH} r[a,t] h[a,t]  -  kappa * tc * sum_t sum_a |z[a,t]|
 *             - borrow * sum_t sum_{a != CASH} short(h[a,t])  -  gamma * sum_t h_t' Sigma h_t
 *   h[a,t]   = w[a,t] + z[a,t]                 (post-trade weight)
 *   w[a,t+1] = h[a,t]                          (returns do not move weights in this model)
 *   sum_a z[a,t] = 0                           (self-financing; costs are not taken from cash)
 *   w[a,1] = initial;  w[CASH,P+1] = 1, w[a,P+1] = 0 otherwise   (liquidate at the end, unless
 *                                                    `liquidateAtEnd` is false)
 *   a != CASH: minWeight[a] <= h <= maxWeight[a], h >= 0 unless allowShort, |z| <= maxTradeSize,
 *              sum_a |h[a,t]| <= maxLeverage  (|h| = long + short, long - short = h)
 *   h[CASH,t] >= minCashBalance (and >= 0)
 * with kappa = tradeAversion, tc = transactionCost, borrow = shortBorrowCost. |z| is an auxiliary
 * u >= z, u >= -z; `costOnCash: false` leaves cash trades free. The risk term (gamma =
 * risk.aversion, none when risk is null) depends on its measure:
 *   covariance, factors: h_t' Sigma h_t, quadratic (a QP for HiGHS) with a covariance, or linear in
 *     factor exposures f = B'h plus idiosyncratic variances with a factor model;
 *   mad:  (1/S) sum_s |sum_a (r[s,a] - mean_a) h[a,t]|   over return scenarios r[s,a], s = 1..S;
 *   cvar: zeta_t + 1/((1 - alpha) S) sum_s max(0, -sum_a r[s,a] h[a,t] - zeta_t), alpha = risk.level.
 * mad and cvar are linear (an LP: glpk too); see scenario-risk.ts.
 */
import { LinearModel, type Term, type Var } from './linear-model.js';
import { CASH, type MpoProblem, type MpoRisk } from './mpo-problem.js';
import { scenarioRisk, type PeriodRisk } from './scenario-risk.js';

export interface MpoModel {
  readonly model: LinearModel;
  /** w[a][t - 1] for times 1..P+1 and z[a][t - 1] for periods 1..P, assets in problem order. */
  readonly w: readonly (readonly Var[])[];
  readonly z: readonly (readonly Var[])[];
}

/** @example const { model, w, z } = buildMpoModel(parseMpoRequest(request)) */
export function buildMpoModel(problem: MpoProblem): MpoModel {
  const m = new LinearModel('maximize');
  const P = problem.periods;
  const cashIndex = problem.assets.indexOf(CASH);
  const riskyIndex = new Map(problem.risky.map((a, i) => [a, i]));
  const times = (n: number, make: (t: number) => Var) => Array.from({ length: n }, (_, k) => make(k + 1));

  const w = problem.assets.map((asset, i) =>
    times(P + 1, (t) => {
      const liquidated = t === P + 1 && problem.liquidateAtEnd ? (asset === CASH ? 1 : 0) : undefined;
      const fixed = t === 1 ? problem.initial[i]! : liquidated;
      return m.variable(`w_${i}_${t}`, fixed ?? -Infinity, fixed ?? Infinity);
    }),
  );
  const z = problem.assets.map((_, i) => times(P, (t) => m.variable(`z_${i}_${t}`, -Infinity, Infinity)));
  const h = problem.assets.map((asset, i) => {
    const [lower, upper] = postTradeBounds(problem, asset === CASH ? undefined : riskyIndex.get(asset)!);
    return times(P, (t) => m.variable(`h_${i}_${t}`, lower, upper));
  });
  const risk = problem.risk && periodRisk(m, problem.risk);

  for (let t = 1; t <= P; t++) {
    const budget: Term[] = [];
    const gross: Term[] = [];
    problem.assets.forEach((asset, i) => {
      const [wt, zt, ht, wNext] = [w[i]![t - 1]!, z[i]![t - 1]!, h[i]![t - 1]!, w[i]![t]!];
      m.constrain(
        [
          [ht, 1],
          [wt, -1],
          [zt, -1],
        ],
        0,
        0,
        `post_${i}_${t}`,
      );
      m.constrain(
        [
          [wNext, 1],
          [ht, -1],
        ],
        0,
        0,
        `carry_${i}_${t}`,
      );
      budget.push([zt, 1]);

      // |z|, bounded by maxTradeSize for non-cash assets.
      const names = { variable: `u_${i}_${t}`, up: `abs_up_${i}_${t}`, down: `abs_down_${i}_${t}` };
      const u = m.absolute(zt, names, asset === CASH ? Infinity : problem.maxTradeSize);
      if (asset !== CASH || problem.costOnCash) m.objective([[u, -problem.tradeAversion * problem.transactionCost]]);
      if (asset === CASH) return;

      const r = problem.returns[riskyIndex.get(asset)!]![t - 1]!;
      m.objective([[ht, r]]);
      // |h| = long + short with long - short = h, for the leverage limit and the borrow cost.
      const long = m.variable(`long_${i}_${t}`, 0, Infinity);
      const short = m.variable(`short_${i}_${t}`, 0, problem.allowShort ? Infinity : 0);
      m.constrain(
        [
          [long, 1],
          [short, -1],
          [ht, -1],
        ],
        0,
        0,
        `split_${i}_${t}`,
      );
      gross.push([long, 1], [short, 1]);
      if (problem.shortBorrowCost > 0) m.objective([[short, -problem.shortBorrowCost]]);
    });
    m.constrain(budget, 0, 0, `self_financing_${t}`);
    m.constrain(gross, -Infinity, problem.maxLeverage, `leverage_${t}`);
    risk?.(
      h.filter((_, i) => i !== cashIndex).map((series) => series[t - 1]!),
      t,
    );
  }
  return { model: m, w, z };
}

/** Bounds of the post-trade weight h of non-cash asset i (undefined: cash): the weight limits, long-only unless allowShort, cash above its floor. */
function postTradeBounds(problem: MpoProblem, i: number | undefined): [number, number] {
  if (i === undefined) return [Math.max(problem.minCashBalance, problem.allowShort ? -Infinity : 0), Infinity];
  const lower = problem.minWeight[i]!;
  return [problem.allowShort ? lower : Math.max(lower, 0), problem.maxWeight[i]!];
}

/** The risk term of each period: the variance here, MAD and CVaR in scenario-risk.ts. */
function periodRisk(m: LinearModel, risk: MpoRisk): PeriodRisk {
  return risk.measure === 'mad' || risk.measure === 'cvar' ? scenarioRisk(m, risk) : (h, t) => addVariance(m, risk, h, t);
}

/**
 * - gamma * h' Sigma h for one period: with a covariance, its entries as quadratic terms; with a
 * factor model, exposures f = B' h as variables and - gamma * (f' F f + sum d_a h_a^2).
 */
function addVariance(m: LinearModel, risk: Extract<MpoRisk, { measure: 'covariance' | 'factors' }>, h: readonly Var[], t: number): void {
  const gamma = risk.aversion;
  if (risk.measure === 'covariance') {
    risk.covariance.forEach((row, i) => {
      for (let j = i; j < row.length; j++) m.quadraticTerm(h[i]!, h[j]!, -gamma * row[j]! * (i === j ? 1 : 2));
    });
    return;
  }
  const k = risk.factorCovariance.length;
  const f = Array.from({ length: k }, (_, q) => {
    const exposure = m.variable(`f_${q}_${t}`, -Infinity, Infinity);
    m.constrain([[exposure, 1], ...risk.loadings.map((loading, i): Term => [h[i]!, -loading[q]!])], 0, 0, `exposure_${q}_${t}`);
    return exposure;
  });
  for (let q = 0; q < k; q++)
    for (let s = q; s < k; s++) m.quadraticTerm(f[q]!, f[s]!, -gamma * risk.factorCovariance[q]![s]! * (q === s ? 1 : 2));
  risk.idiosyncratic.forEach((variance, i) => m.quadraticTerm(h[i]!, h[i]!, -gamma * variance));
}

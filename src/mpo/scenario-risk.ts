/**
 * LP-representable risk over equally likely return scenarios r[s,a] (s = 1..S, non-cash assets),
 * for the measures "mad" and "cvar": per period t, with post-trade weights h_t, the
 * objective gets - gamma * risk(h_t).
 *
 *   mad:   risk = (1/S) sum_s |y[s,t]|,  y[s,t] = sum_a (r[s,a] - mean_a) h[a,t]  (a free variable,
 *          one equation), |y| as d >= y, d >= -y.
 *   cvar:  risk = zeta_t + 1/((1 - alpha) S) sum_s e[s,t],  e >= 0,  e[s,t] >= -sum_a r[s,a] h[a,t] - zeta_t
 *          (Rockafellar-Uryasev: the loss is minus the portfolio return; zeta_t is free and lands
 *          on the value at risk at the optimum).
 * Each scenario costs one row with one entry per asset and period: O(S A P) non-zeros.
 */
import type { LinearModel, Term, Var } from './linear-model.js';
import type { MpoRisk } from './mpo-problem.js';

/** Adds the risk term of one period given its post-trade non-cash weights h (in problem.risky order). */
export type PeriodRisk = (h: readonly Var[], t: number) => void;

/**
 * The scenario risk term (MAD or CVaR) for model m.
 * @example const risk = scenarioRisk(m, problem.risk); risk(hOfPeriod, t);
 */
export function scenarioRisk(m: LinearModel, risk: Extract<MpoRisk, { measure: 'mad' | 'cvar' }>): PeriodRisk {
  if (risk.measure === 'mad') {
    const centred = centre(risk.scenarios);
    return (h, t) => addMad(m, centred, risk.aversion, h, t);
  }
  return (h, t) => addCvar(m, risk.scenarios, risk.aversion, risk.level, h, t);
}

/** Each asset's returns minus its mean over the scenarios. */
function centre(returns: readonly Float64Array[]): number[][] {
  const S = returns.length;
  const mean = Array.from(returns[0]!, (_, i) => returns.reduce((sum, scenario) => sum + scenario[i]!, 0) / S);
  return returns.map((scenario) => Array.from(scenario, (r, i) => r - mean[i]!));
}

const exposure = (scenario: ArrayLike<number>, h: readonly Var[], sign: number): Term[] => h.map((v, i): Term => [v, sign * scenario[i]!]);

/** - gamma/S * sum_s |y[s,t]| with y the centred portfolio return of scenario s. */
function addMad(m: LinearModel, centred: readonly (readonly number[])[], gamma: number, h: readonly Var[], t: number): void {
  const S = centred.length;
  centred.forEach((scenario, s) => {
    const y = m.variable(`mad_y_${s}_${t}`, -Infinity, Infinity);
    m.constrain([[y, 1], ...exposure(scenario, h, -1)], 0, 0, `mad_return_${s}_${t}`);
    const d = m.absolute(y, { variable: `mad_d_${s}_${t}`, up: `mad_up_${s}_${t}`, down: `mad_down_${s}_${t}` });
    m.objective([[d, -gamma / S]]);
  });
}

/** - gamma * (zeta + 1/((1 - alpha) S) sum_s e[s,t]) with e[s,t] + zeta + sum_a r[s,a] h[a,t] >= 0. */
function addCvar(m: LinearModel, returns: readonly Float64Array[], gamma: number, alpha: number, h: readonly Var[], t: number): void {
  const S = returns.length;
  const zeta = m.variable(`cvar_zeta_${t}`, -Infinity, Infinity);
  m.objective([[zeta, -gamma]]);
  returns.forEach((scenario, s) => {
    const excess = m.variable(`cvar_e_${s}_${t}`, 0, Infinity);
    m.constrain([[excess, 1], [zeta, 1], ...exposure(scenario, h, 1)], 0, Infinity, `cvar_tail_${s}_${t}`);
    m.objective([[excess, -gamma / ((1 - alpha) * S)]]);
  });
}

/**
 * An independent solve of the MPO model: the programme of ../shared/MPO.md written out as CPLEX LP
 * text (its own variables and rows, not src/mpo's LinearModel or model builder) and solved with the
 * `highs` package's one-shot `solve(lpText)`.
 *
 * Variables, for asset index i (request order, CASH included) and period t = 1..P:
 *   hold_i_t  (t = 1..P+1)  weight at the start of time t; hold_i_{t+1} is the post-trade weight of period t
 *   buy_i_t, sell_i_t >= 0  the trade of period t is buy - sell (|trade| = buy + sell at an optimum with a cost)
 *   gross_i_t >= |hold_i_{t+1}|     (non-cash, for the leverage limit)
 *   short_i_t >= max(-hold_i_{t+1}, 0)  (non-cash, only when a borrow cost is charged)
 * Objective: returns on hold_i_{t+1}, minus the trading cost on buy + sell, minus the borrow cost,
 * minus gamma * hold' Sigma hold per period as a quadratic term `+ [ ... ] / 2` (HiGHS reads a
 * maximisation's quadratic part only in that form, with negative coefficients).
 */
import { createRequire } from 'node:module';
import type { Highs } from 'highs';
import { CASH, resolveMpo, type MpoRequestJson, type MpoResponseJson } from './mpo-check.js';

type HighsLoader = () => Promise<Highs>;
const highsLoader = createRequire(import.meta.url)('highs') as HighsLoader;
let highs: Promise<Highs> | undefined;

/** A number as LP text: shortest round-trip decimal (exact), exponent allowed. */
const num = (x: number): string => String(x);

/** ` + 0.05 x - 0.01 y` from [coefficient, name] pairs, zero coefficients dropped. */
function sum(terms: readonly (readonly [number, string])[]): string {
  const kept = terms.filter(([c]) => c !== 0);
  if (kept.length === 0) return '';
  return kept.map(([c, name], k) => `${c < 0 ? '-' : k === 0 ? '' : '+'} ${num(Math.abs(c))} ${name}`).join(' ');
}

export function mpoLpText(request: MpoRequestJson): string {
  const m = resolveMpo(request);
  const P = m.periods;
  const hold = (i: number, t: number) => `hold_${i}_${t}`;
  const buy = (i: number, t: number) => `buy_${i}_${t}`;
  const sell = (i: number, t: number) => `sell_${i}_${t}`;
  const gross = (i: number, t: number) => `gross_${i}_${t}`;
  const short = (i: number, t: number) => `short_${i}_${t}`;
  const riskyIdx = m.assets.map((a, i) => [a, i] as const).filter(([a]) => a !== CASH);
  const cashIdx = m.assets.indexOf(CASH);
  const chargeBorrow = m.allowShort && m.borrowCost > 0;

  const objective: [number, string][] = [];
  const rows: string[] = [];
  const row = (name: string, terms: readonly (readonly [number, string])[], sense: '<=' | '>=' | '=', rhs: number) =>
    rows.push(` ${name}: ${sum(terms)} ${sense} ${num(rhs)}`);

  for (let t = 1; t <= P; t++) {
    m.assets.forEach((a, i) => {
      // The trade moves the weight: hold_{t+1} = hold_t + buy - sell.
      row(
        `flow_${i}_${t}`,
        [
          [1, hold(i, t + 1)],
          [-1, hold(i, t)],
          [-1, buy(i, t)],
          [1, sell(i, t)],
        ],
        '=',
        0,
      );
      if (a !== CASH || m.costOnCash) objective.push([-m.tradeAversion * m.cost, buy(i, t)], [-m.tradeAversion * m.cost, sell(i, t)]);
    });
    row(
      `budget_${t}`,
      m.assets.flatMap((_, i) => [
        [1, buy(i, t)],
        [-1, sell(i, t)],
      ]),
      '=',
      0,
    );
    // Cash after the trade: at least min_cash_balance, and not negative unless shorting is allowed.
    row(`cash_floor_${t}`, [[1, hold(cashIdx, t + 1)]], '>=', m.allowShort ? m.minCash : Math.max(m.minCash, 0));
    for (const [a, i] of riskyIdx) {
      const [lower, upper] = m.bounds(a);
      const h = hold(i, t + 1);
      objective.push([m.returns[a]![t - 1]!, h]);
      row(`floor_${i}_${t}`, [[1, h]], '>=', m.allowShort ? lower : Math.max(lower, 0));
      row(`cap_${i}_${t}`, [[1, h]], '<=', upper);
      row(
        `trade_up_${i}_${t}`,
        [
          [1, buy(i, t)],
          [-1, sell(i, t)],
        ],
        '<=',
        m.maxTrade,
      );
      row(
        `trade_down_${i}_${t}`,
        [
          [1, buy(i, t)],
          [-1, sell(i, t)],
        ],
        '>=',
        -m.maxTrade,
      );
      row(
        `gross_pos_${i}_${t}`,
        [
          [1, gross(i, t)],
          [-1, h],
        ],
        '>=',
        0,
      );
      row(
        `gross_neg_${i}_${t}`,
        [
          [1, gross(i, t)],
          [1, h],
        ],
        '>=',
        0,
      );
      if (chargeBorrow) {
        row(
          `short_def_${i}_${t}`,
          [
            [1, short(i, t)],
            [1, h],
          ],
          '>=',
          0,
        );
        objective.push([-m.borrowCost, short(i, t)]);
      }
    }
    row(
      `leverage_${t}`,
      riskyIdx.map(([, i]) => [1, gross(i, t)] as const),
      '<=',
      m.maxLeverage,
    );
  }

  // - gamma * sum_t h' Sigma h = [ sum_i -2 gamma s_ii h_i^2 + sum_{i<j} -4 gamma s_ij h_i h_j ] / 2
  const quadratic: string[] = [];
  if (m.gamma > 0 && m.sigma) {
    for (let t = 1; t <= P; t++)
      riskyIdx.forEach(([, i], p) =>
        riskyIdx.forEach(([, j], q) => {
          if (q < p) return;
          const c = -m.gamma * m.sigma![p]![q]! * (p === q ? 2 : 4);
          if (c === 0) return;
          quadratic.push(
            `${c < 0 ? '-' : '+'} ${num(Math.abs(c))} ${p === q ? `${hold(i, t + 1)} ^ 2` : `${hold(i, t + 1)} * ${hold(j, t + 1)}`}`,
          );
        }),
      );
  }

  const bounds: string[] = [];
  m.assets.forEach((a, i) => {
    bounds.push(` ${hold(i, 1)} = ${num(m.initial[a]!)}`);
    for (let t = 2; t <= P; t++) bounds.push(` -inf <= ${hold(i, t)} <= +inf`);
    bounds.push(m.liquidate ? ` ${hold(i, P + 1)} = ${a === CASH ? 1 : 0}` : ` -inf <= ${hold(i, P + 1)} <= +inf`);
  });

  let linear = sum(objective);
  if (linear === '') linear = `0 ${hold(0, 1)}`;
  const quad = quadratic.length > 0 ? ` + [ ${quadratic.join(' ')} ] / 2` : '';
  return ['Maximize', ` obj: ${linear}${quad}`, 'Subject To', ...rows, 'Bounds', ...bounds, 'End', ''].join('\n');
}

export interface ReferenceSolution {
  /** HiGHS's status text: 'Optimal', 'Infeasible', ... */
  readonly status: string;
  readonly objective: number;
  /** The reference optimum as an MPO response (trades = buy - sell), to run the same checks on. */
  readonly response: MpoResponseJson;
  readonly lp: string;
}

/** Solves mpoLpText(request) with HiGHS's one-shot LP-text interface. */
export async function solveReference(request: MpoRequestJson): Promise<ReferenceSolution> {
  highs ??= highsLoader();
  const solver = await highs;
  const lp = mpoLpText(request);
  const result = solver.solve(lp);
  const m = resolveMpo(request);
  const value = (name: string): number => {
    const column = result.Columns[name] as { Primal?: number } | undefined;
    return column?.Primal ?? 0; // a column HiGHS dropped (no row, zero cost) is 0
  };
  const weights: Record<string, Record<string, number>> = {};
  const trades: Record<string, Record<string, number>> = {};
  m.assets.forEach((a, i) => {
    weights[a] = {};
    trades[a] = {};
    for (let t = 1; t <= m.periods + 1; t++) {
      // Fixed columns may be absent from Columns when presolve removed them: use their bound.
      const fixed = t === 1 ? m.initial[a]! : t === m.periods + 1 && m.liquidate ? (a === CASH ? 1 : 0) : undefined;
      weights[a]![String(t)] = result.Columns[`hold_${i}_${t}`] ? value(`hold_${i}_${t}`) : (fixed ?? Number.NaN);
    }
    for (let t = 1; t <= m.periods; t++) trades[a]![String(t)] = value(`buy_${i}_${t}`) - value(`sell_${i}_${t}`);
  });
  return {
    status: result.Status,
    objective: result.ObjectiveValue,
    response: { output: { weights, trades }, status: result.Status === 'Optimal' ? 0 : 1 },
    lp,
  };
}

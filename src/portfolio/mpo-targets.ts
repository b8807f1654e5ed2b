/**
 * `optimizer: 'mpo'`: the strategy's targets become upper bounds, and multi-period optimisation
 * (src/mpo, the model of ../shared/MPO.md) decides how far toward them to trade from the current
 * weights, trading costs against expected returns. Forecasts use the `mpo` strategy's documented
 * mapping (src/strategies/mpo-policy.ts): shrunk 12-1 momentum per month, decaying over a
 * three-month horizon; the plan is not liquidated at its end.
 */
import { TransactionCost, type CostModel } from '../backtest/transaction-cost.js';
import { DataError } from '../errors.js';
import { loadHighs } from '../mpo/highs-solver.js';
import { CASH, parseMpoRequest } from '../mpo/mpo-request.js';
import { solveProblem } from '../mpo/optimize.js';
import { MPO_FORECAST } from './momentum-forecast.js';
import type { PortfolioTargets, TargetHolding } from './targets.js';

/**
 * New targets: each symbol's post-trade weight of the plan's first month, between 0 and the
 * strategy's target (or its current weight, so MPO may keep a position the strategy leaves only
 * when selling would cost more than it gains). `current` holds weights by symbol (the rest is cash).
 */
export async function optimiseTargets(
  targets: PortfolioTargets,
  current: Readonly<Record<string, number>>,
  costs: CostModel,
): Promise<PortfolioTargets> {
  await loadHighs();
  const bySymbol = new Map(targets.universe.map((h) => [h.symbol, h]));
  const names = targets.universe.filter((h) => h.price > 0 && (h.targetWeight > 0 || (current[h.symbol] ?? 0) > 0)).map((h) => h.symbol);
  if (names.length === 0) return targets;
  const initial: Record<string, number> = Object.fromEntries(names.map((s) => [s, Math.max(0, current[s] ?? 0)]));
  const held = Object.values(initial).reduce((a, b) => a + b, 0);
  initial[CASH] = Math.max(0, 1 - held);
  const total = held + initial[CASH]!;
  for (const key of Object.keys(initial)) initial[key] = initial[key]! / total;
  const problem = parseMpoRequest({
    initial_weights: initial,
    estimated_returns: Object.fromEntries(
      names.map((s) => [
        s,
        Object.fromEntries(
          Array.from({ length: MPO_FORECAST.horizon }, (_, k) => [String(k + 1), bySymbol.get(s)!.forecast * MPO_FORECAST.decay ** k]),
        ),
      ]),
    ),
    parameters: {
      min_weight: 0,
      max_weight: 1,
      per_asset: Object.fromEntries(names.map((s) => [s, { max_weight: Math.max(bySymbol.get(s)!.targetWeight, initial[s]!) }])),
      min_cash_balance: 0,
      max_leverage: 1,
      max_trade_size: 1,
      trade_aversion: 1,
      transaction_cost: new TransactionCost(costs).linear,
      liquidate_at_end: false,
    },
  });
  const run = solveProblem(problem);
  if (run.solution.status !== 'optimal')
    throw new DataError(`the MPO optimiser found no optimal plan (${run.response.message ?? run.solution.status}); use optimizer 'none'`);
  const first = (s: string) => Math.max(0, run.response.output.weights[s]!['2'] ?? 0);
  const clean = (w: number) => (w < 1e-9 ? 0 : w);
  const universe = targets.universe.map((h): TargetHolding => {
    if (!names.includes(h.symbol)) return h;
    const weight = clean(first(h.symbol));
    return { ...h, targetWeight: weight, reason: `${h.reason}; MPO ${pct(weight)} of the strategy's ${pct(h.targetWeight)}` };
  });
  const holdings = universe
    .filter((h) => h.targetWeight > 0)
    .sort((a, b) => b.targetWeight - a.targetWeight || a.symbol.localeCompare(b.symbol));
  const invested = holdings.reduce((sum, h) => sum + h.targetWeight, 0);
  const note =
    targets.holdings.length > 0 && holdings.length === 0
      ? `the MPO optimiser finds no position worth its trading costs at these forecasts: the portfolio stays all cash (optimizer 'none' follows the strategy)`
      : targets.note;
  return { ...targets, universe, holdings, cashTarget: Math.max(0, 1 - invested), note };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

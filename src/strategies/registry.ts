/** Every strategy by name: what the CLI, sweeps, stored backtests and the portfolio generator look up. */
import { ValidationError } from '../errors.js';
import { buyAndHold } from './buy-and-hold.js';
import { donchian } from './donchian.js';
import { dualMomentum } from './dual-momentum.js';
import { high52w } from './high-52w.js';
import { maTrend } from './ma-trend.js';
import { mpoPolicy } from './mpo-policy.js';
import { smaCross } from './sma-cross.js';
import type { Strategy, StrategyParams } from './strategy.js';
import { tsMomentum } from './ts-momentum.js';
import { volScaledXs } from './vol-scaled-xs.js';
import { xsMomentum } from './xs-momentum.js';

export const STRATEGIES: readonly Strategy<StrategyParams>[] = [
  tsMomentum,
  xsMomentum,
  dualMomentum,
  maTrend,
  smaCross,
  donchian,
  high52w,
  volScaledXs,
  mpoPolicy,
  buyAndHold,
] as unknown as readonly Strategy<StrategyParams>[];

/** @example getStrategy('xs-momentum').title // 'Cross-sectional momentum (12-1)' */
export function getStrategy(name: string): Strategy<StrategyParams> {
  const strategy = STRATEGIES.find((s) => s.name === name);
  if (!strategy) {
    throw new ValidationError(
      'strategy',
      `unknown strategy ${JSON.stringify(name)}; use one of ${STRATEGIES.map((s) => s.name).join(', ')}`,
    );
  }
  return strategy;
}

/** Gets a strategy ready to run (loads its solver, if any). */
export async function prepareStrategy(name: string): Promise<Strategy<StrategyParams>> {
  const strategy = getStrategy(name);
  await strategy.prepare?.();
  return strategy;
}

/**
 * What a strategy file gets from `import ... from 'momentum'` (strategy-files.ts points the name
 * here): defineStrategy, zod, the target and schedule helpers and the indicators; none of the
 * database, report or job code, so each command and sweep worker that loads a strategy file loads a
 * few modules, not the whole library.
 */
export { z } from 'zod';
export { defineStrategy, type StrategyDefinition } from './define-strategy.js';
export {
  emptyTargets,
  barsPerYear,
  barsPerMonth,
  type Strategy,
  type StrategyPanel,
  type StrategyParams,
  type StrategyContext,
  type TargetSchedule,
  type ParamValue,
} from './strategy.js';
export { rebalanceMask, scheduleFields, REBALANCE_SCHEDULES, type RebalanceSchedule } from './schedule.js';
export * from './indicators.js';

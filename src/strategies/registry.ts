/**
 * Every strategy by name: what the CLI, sweeps, stored backtests and the portfolio generator look
 * up. The built-ins, then the user's strategies registered in this process (strategy-files.ts loads
 * them from files, remembering each one's file so that sweep workers load the same code).
 */
import { basename } from 'node:path';
import { ValidationError } from '../errors.js';
import { buyAndHold } from './buy-and-hold.js';
import { donchian } from './donchian.js';
import { dualMomentum } from './dual-momentum.js';
import { earningsMomentum } from './earnings-momentum.js';
import { high52w } from './high-52w.js';
import { maTrend } from './ma-trend.js';
import { mpoPolicy } from './mpo-policy.js';
import { qualityMomentum } from './quality-momentum.js';
import { revisionMomentum } from './revision-momentum.js';
import { smaCross } from './sma-cross.js';
import type { Strategy, StrategyParams } from './strategy.js';
import { tsMomentum } from './ts-momentum.js';
import { volScaledXs } from './vol-scaled-xs.js';
import { xsMomentum } from './xs-momentum.js';

/** The strategies of the library. */
export const STRATEGIES: readonly Strategy<StrategyParams>[] = [
  tsMomentum,
  xsMomentum,
  dualMomentum,
  maTrend,
  smaCross,
  donchian,
  high52w,
  volScaledXs,
  qualityMomentum,
  earningsMomentum,
  revisionMomentum,
  mpoPolicy,
  buyAndHold,
] as unknown as readonly Strategy<StrategyParams>[];

/** Where a user's strategy came from: its file, and the sha256 of the file's bytes (stored with results). */
export interface StrategySource {
  readonly file: string;
  readonly sha256: string;
}

interface UserStrategy {
  readonly strategy: Strategy<StrategyParams>;
  /** Undefined: defined in this process only (a notebook cell), so worker threads cannot load it. */
  readonly source: StrategySource | undefined;
}

const user = new Map<string, UserStrategy>();
/** Why configured strategy files did not load, said again when a strategy is not found. */
const loadFailures: string[] = [];

/** Records that a configured strategy file failed to load (the command goes on without it). */
export function recordStrategyLoadFailure(message: string): void {
  loadFailures.push(message);
}

/**
 * Adds a user's strategy (from defineStrategy). Registering the same name again from the same file
 * replaces it (a notebook re-running a cell); a built-in's name, or another file's, is refused.
 */
export function registerStrategy<P extends StrategyParams>(strategy: Strategy<P>, source?: StrategySource): Strategy<P> {
  if (STRATEGIES.some((s) => s.name === strategy.name)) {
    throw new ValidationError('strategy', `${JSON.stringify(strategy.name)} is a built-in strategy's name; give yours another`);
  }
  const known = user.get(strategy.name);
  if (known && known.source?.file !== source?.file) {
    throw new ValidationError(
      'strategy',
      `${JSON.stringify(strategy.name)} is already registered from ${known.source?.file ?? 'this process'}; names must be unique`,
    );
  }
  user.set(strategy.name, { strategy: strategy as unknown as Strategy<StrategyParams>, source });
  return strategy;
}

/** The built-ins, then the user's strategies in the order registered. */
export function allStrategies(): Strategy<StrategyParams>[] {
  return [...STRATEGIES, ...[...user.values()].map((u) => u.strategy)];
}

/** The file a user's strategy came from (undefined for a built-in or one defined in this process). */
export function strategySource(name: string): StrategySource | undefined {
  return user.get(name)?.source;
}

/**
 * The code version of a result, with a user's strategy's file and the start of its sha256 appended
 * (`0.1.0+git.1a2b3c4 abs-mom.ts@sha256:0f3c...`): a changed file shows in the stored results.
 */
export function withStrategyCode(version: string, name: string): string {
  const known = user.get(name);
  if (!known) return version;
  return `${version} ${known.source ? `${basename(known.source.file)}@sha256:${known.source.sha256.slice(0, 16)}` : `${name}@unsaved`}`;
}

/** Whether `name` is a user's strategy defined in this process without a file. */
export function isFilelessUserStrategy(name: string): boolean {
  const known = user.get(name);
  return known !== undefined && known.source === undefined;
}

/** @example getStrategy('xs-momentum').title // 'Cross-sectional momentum (12-1)' */
export function getStrategy(name: string): Strategy<StrategyParams> {
  const strategy = STRATEGIES.find((s) => s.name === name) ?? user.get(name)?.strategy;
  if (!strategy) {
    const failed = loadFailures.length > 0 ? `; note: ${loadFailures.join('; ')}` : '';
    const hint =
      user.size === 0 && failed === ''
        ? ' (a strategy of your own: load its file with --strategy-file or the strategies list of momentum.config.json)'
        : failed;
    throw new ValidationError(
      'strategy',
      `unknown strategy ${JSON.stringify(name)}; use one of ${allStrategies()
        .map((s) => s.name)
        .join(', ')}${hint}`,
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

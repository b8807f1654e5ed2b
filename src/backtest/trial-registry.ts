/**
 * What the trial registry counts (the tables: sql/009_trials.sql; the store: trial-store.ts). The
 * deflated Sharpe ratio discounts the best of N trials by N (Bailey and Lopez de Prado 2014), so N
 * must count every configuration tried on the same question, however it was run:
 *
 * - a research family: a strategy (kind 'strategy'), or a selection made by code among strategies
 *   (kind 'selection'), on one universe (its sorted symbols), one bar interval and one in-sample
 *   period (the first and last bar of the run);
 * - a trial: one configuration in a family: the strategy, its resolved hyperparameters, costs and
 *   engine settings. Not the initial cash (returns scale with it) nor the benchmark (it trades
 *   nothing). Running the same configuration again is the same trial, counted once.
 */
import { createHash } from 'node:crypto';
import { formatBarTime, type Interval } from '../data/bar.js';
import type { BacktestSpec } from './backtest-spec.js';
import { equityReturns, isConstantSpread, mean, sampleStd, sharpeRatio } from './return-statistics.js';

export type TrialSource = 'backtest' | 'sweep' | 'simulation' | 'walk-forward' | 'selection';

export interface TrialFamilyIdentity {
  readonly kind: 'strategy' | 'selection';
  /** The strategy's name, or the selection's. */
  readonly name: string;
  /** The universe's name, when the symbols came from one (kept for reading, not part of the identity). */
  readonly universe: string | null;
  /** Sorted. */
  readonly symbols: readonly string[];
  readonly interval: Interval;
  /** First and last bar (YYYY-MM-DD; ISO instants for intraday bars). */
  readonly periodFrom: string;
  readonly periodTo: string;
}

export interface TrialConfig {
  readonly strategy: string;
  readonly params: BacktestSpec['params'];
  readonly costs: BacktestSpec['costs'];
  readonly fill: BacktestSpec['fill'];
  readonly wholeShares: boolean;
  readonly allowShort: boolean;
  readonly maxLeverage: number;
}

/** One run of a configuration in a family, as the store records it. */
export interface TrialRun {
  readonly family: TrialFamilyIdentity;
  readonly config: TrialConfig;
  /** Per-period Sharpe ratio of the run's returns (0 for constant returns; 0 when undefined). */
  readonly sharpe: number;
  readonly observations: number;
  readonly constantReturns: boolean;
  readonly backtestId: number | null;
  readonly source: TrialSource;
}

/** @example trialConfig(spec) // { strategy: 'ma-trend', params: { window: 210, ... }, costs, fill: 'next-open', ... } */
export function trialConfig(spec: BacktestSpec): TrialConfig {
  const { strategy, params, costs, fill, wholeShares, allowShort, maxLeverage } = spec;
  return { strategy, params, costs, fill, wholeShares, allowShort, maxLeverage };
}

/** The strategy family of a run of `spec` over bars `dates`. */
export function strategyFamily(spec: BacktestSpec, dates: Float64Array): TrialFamilyIdentity {
  return {
    kind: 'strategy',
    name: spec.strategy,
    universe: spec.universe,
    symbols: [...spec.symbols].sort(),
    interval: spec.interval,
    periodFrom: formatBarTime(dates[0]!, spec.interval),
    periodTo: formatBarTime(dates[dates.length - 1]!, spec.interval),
  };
}

/** What the registry keeps of a run's curve: its per-bar Sharpe ratio, how many returns, and whether they are constant. */
export interface TrialFigures {
  readonly sharpe: number;
  readonly observations: number;
  readonly constantReturns: boolean;
}

/** @example trialFigures(outcome.spec, outcome.equity) */
export function trialFigures(spec: BacktestSpec, equity: Float64Array): TrialFigures {
  const returns = equityReturns(equity, spec.initialCash);
  const sharpe = sharpeRatio(returns);
  return {
    sharpe: Number.isFinite(sharpe) ? sharpe : 0,
    observations: returns.length,
    constantReturns: isConstantSpread(mean(returns), sampleStd(returns)),
  };
}

/**
 * A run of `spec` (its bars and equity curve) as a trial of its strategy family, or of `family`.
 * `figures` are given when they were computed where the curve was (a sweep's workers).
 * @example trialRun(outcome.spec, outcome, { source: 'backtest', backtestId: 12 })
 */
export function trialRun(
  spec: BacktestSpec,
  curve: { readonly dates: Float64Array; readonly equity: Float64Array },
  options: { readonly source: TrialSource; readonly backtestId?: number | null; readonly family?: TrialFamilyIdentity },
  figures: TrialFigures = trialFigures(spec, curve.equity),
): TrialRun {
  return {
    family: options.family ?? strategyFamily(spec, curve.dates),
    config: trialConfig(spec),
    ...figures,
    backtestId: options.backtestId ?? null,
    source: options.source,
  };
}

/** SHA-256 of the family's identity (the universe's name aside). */
export function familyKey(family: TrialFamilyIdentity): string {
  const { kind, name, symbols, interval, periodFrom, periodTo } = family;
  return sha256(canonicalJson({ kind, name, symbols: [...symbols].sort(), interval, periodFrom, periodTo }));
}

/** SHA-256 of a configuration, the same whatever the order of its keys. */
export function configKey(config: TrialConfig): string {
  return sha256(canonicalJson(config));
}

/** "ma-trend on SPY (1d), 2003-01-02 .. 2014-12-31" */
export function describeFamily(family: Omit<TrialFamilyIdentity, 'kind'> & { readonly kind: string }): string {
  const what = family.kind === 'selection' ? `selection "${family.name}"` : family.name;
  return `${what} on ${universeLabel(family)} (${family.interval}), ${family.periodFrom} .. ${family.periodTo}`;
}

/** The universe's name, or its symbols (the first three and how many more). */
export function universeLabel(family: { readonly universe: string | null; readonly symbols: readonly string[] }): string {
  if (family.universe) return family.universe;
  const shown = family.symbols.slice(0, 3).join(',');
  return family.symbols.length > 3 ? `${shown}+${family.symbols.length - 3}` : shown;
}

/** "1 trial in this family", "4 trials in this family": how every verdict states N. */
export function trialCount(trials: number): string {
  return `${trials} trial${trials === 1 ? '' : 's'} in this family`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v as object)
            .sort()
            .map((k) => [k, (v as Record<string, unknown>)[k]]),
        )
      : v,
  );
}

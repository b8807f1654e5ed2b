/**
 * What a strategy is: a pure function from a panel and validated hyperparameters to target
 * weights (or target share counts) at rebalance bars. No I/O, no clock, no randomness.
 *
 * The targets at bar t may use data up to and including bar t's close only; the engine fills
 * them at bar t + 1. A property test checks every strategy: changing any bar after t never changes
 * its targets at or before t.
 */
import type { z } from 'zod';
import type { AssetClass, Interval } from '../data/bar.js';
import type { Panel, PanelField } from '../data/panel.js';
import type { DataNeeds, PointInTimeData } from '../data/strategy-data.js';
import { ValidationError } from '../errors.js';
import type { SignalMemo } from './signal-memo.js';

/**
 * A panel (with the fields the strategy declared) plus what strategies may know of its instruments,
 * and the point-in-time data the strategy declared in `data` (fundamentals on its bars, events with
 * the first bar that may see each: src/data/strategy-data.ts).
 */
export interface StrategyPanel extends Omit<Panel, 'values'>, PointInTimeData {
  readonly values: { readonly [K in PanelField]?: readonly Float64Array[] };
  /** Asset class per symbol (same order as `symbols`), when known. */
  readonly assetClasses?: readonly (AssetClass | null)[];
}

/**
 * Targets on a T x N grid, row-major (`targets[t * N + j]`). Only rows where `rebalance[t]` is 1
 * are read; NaN there means "leave this position as it is" (e.g. a symbol without a price yet).
 * - `weights`: fraction of portfolio value at bar t's close (negative: short, needs allowShort).
 * - `shares`: target position in shares.
 */
export interface TargetSchedule {
  readonly kind: 'weights' | 'shares';
  readonly rebalance: Uint8Array;
  readonly targets: Float64Array;
  /** The signal behind the targets, same layout (e.g. 12-1 return), for reports ("why chosen"). */
  readonly scores?: Float64Array;
}

export type ParamValue = number | string | boolean;

/** Where trading starts: bars before `start` only warm up the signals (the engine ignores their targets). */
export interface StrategyContext {
  readonly start: number;
  /** Given by a sweep: signal inputs computed once for all its combinations (signal-memo.ts). */
  readonly memo?: SignalMemo;
}
export type StrategyParams = Record<string, ParamValue>;

export interface Strategy<P extends StrategyParams = StrategyParams> {
  /** Registry key, kebab-case: `xs-momentum`. */
  readonly name: string;
  readonly title: string;
  /** The paper it follows, e.g. "Jegadeesh and Titman (1993)". */
  readonly citation: string;
  readonly description: string;
  /** What `scores` hold, for reports: "12-1 month return". */
  readonly scoreLabel: string;
  /** The rule that would end a position before the next rebalance (or that there is none). */
  readonly exitRule: string;
  /** Panel fields it reads (adjusted prices). */
  readonly fields: readonly PanelField[];
  /** Point-in-time data it reads besides prices, loaded onto its panel by whoever runs it (none when absent). */
  readonly data?: DataNeeds;
  /** Hyperparameters with defaults; lookbacks are in bars, defaults depend on the bar interval. */
  paramsSchema(interval: Interval): z.ZodType<P, Record<string, unknown>>;
  /** Documented sweep ranges (for daily bars), used by `momentum sweep` when no grid is given. */
  readonly sweep: { readonly [K in keyof P]?: readonly P[K][] };
  targets(panel: StrategyPanel, params: P, context?: StrategyContext): TargetSchedule;
  /** A baseline to measure strategies against (buy-and-hold), not a candidate when code chooses among strategies (the demo). */
  readonly baseline?: boolean;
  /** Loads what `targets` needs and cannot load synchronously (a solver); awaited before the first call. */
  prepare?(): Promise<void>;
}

/**
 * Validates raw hyperparameters (CLI `k=v`, stored JSON) and fills defaults.
 * Errors name the parameter: `params.lookback: expected a number ≥ 2`.
 */
export function resolveParams<P extends StrategyParams>(strategy: Strategy<P>, interval: Interval, raw: Record<string, unknown>): P {
  const parsed = paramsSchemaOf(strategy, interval).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length > 0 ? `params.${issue.path.join('.')}` : 'params';
    const known = Object.keys(strategy.paramsSchema(interval).parse({}) as object).join(', ');
    const hint = issue.code === 'unrecognized_keys' ? `; ${strategy.name} takes ${known}` : '';
    throw new ValidationError(field, `${issue.message}${hint}`);
  }
  return parsed.data;
}

// One schema per strategy and interval: building a zod schema costs more than parsing with it (a sweep parses thousands).
const schemas = new WeakMap<Strategy<never>, Map<Interval, z.ZodType<unknown, Record<string, unknown>>>>();

function paramsSchemaOf<P extends StrategyParams>(strategy: Strategy<P>, interval: Interval): z.ZodType<P, Record<string, unknown>> {
  let byInterval = schemas.get(strategy as Strategy<never>);
  if (!byInterval) schemas.set(strategy as Strategy<never>, (byInterval = new Map()));
  let schema = byInterval.get(interval);
  if (!schema) byInterval.set(interval, (schema = strategy.paramsSchema(interval)));
  return schema as z.ZodType<P, Record<string, unknown>>;
}

/** A T x N target grid full of NaN ("no change"). */
export function emptyTargets(bars: number, symbols: number): Float64Array {
  return new Float64Array(bars * symbols).fill(Number.NaN);
}

/** Bars per year for an interval (daily: 252 trading days), the unit of default lookbacks. */
export function barsPerYear(interval: Interval): number {
  switch (interval) {
    case '1m':
      return 252 * 390;
    case '5m':
      return 252 * 78;
    case '15m':
      return 252 * 26;
    case '1h':
      return 252 * 7;
    case '1d':
      return 252;
    case '1wk':
      return 52;
    case '1mo':
      return 12;
  }
}

/** Bars in a month, rounded, at least 1. */
export function barsPerMonth(interval: Interval): number {
  return Math.max(1, Math.round(barsPerYear(interval) / 12));
}

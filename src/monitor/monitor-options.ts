/**
 * What a monitor run can be told: alert thresholds (portfolio and position), a trailing stop,
 * when data counts as stale, and how positions are marked. Validated here, at the edge.
 */
import { z } from 'zod';
import type { Interval } from '../data/bar.js';
import { ValidationError } from '../errors.js';

/** Drawdown thresholds, negative fractions, shallowest first: -5%, -10%, -20%. */
export const DEFAULT_THRESHOLDS: readonly number[] = [-0.05, -0.1, -0.2];

/**
 * How a position's level (and so its drawdown since entry) moves between rebalances. The
 * portfolio's value is money either way: today's shares (splits applied by the ledger) x raw close,
 * plus cash (dividends credited).
 * - `close`: the price per share held at entry (splits counted, dividends not; the default);
 * - `total-return`: the raw close scaled by the change of the adjustment factor (adj_close / close)
 *   since the rebalance, so dividends count as reinvested.
 */
export const PRICE_BASES = ['close', 'total-return'] as const;
export type PriceBasis = (typeof PRICE_BASES)[number];

export interface ThresholdSet {
  readonly portfolio: readonly number[];
  readonly position: readonly number[];
}

export interface MonitorSettings {
  readonly thresholds: ThresholdSet;
  /** Trailing stop: a position whose price is this fraction or more below its peak since entry (0.15); null: off. */
  readonly trailingStop: number | null;
  /** Calendar days after which a symbol's last bar is stale (null: the portfolio's max_data_age_days, else defaultStaleDays). */
  readonly staleAfterDays: number | null;
  readonly basis: PriceBasis;
  /** Run the strategy on data up to the last bar to see whether it still holds each position (default true). */
  readonly strategyCheck: boolean;
}

export interface MonitorSettingsInput {
  /** One list for both scopes, or a list per scope; fractions, sign ignored (0.05 and -0.05 both mean a 5% drawdown). */
  readonly thresholds?: readonly number[] | { readonly portfolio?: readonly number[]; readonly position?: readonly number[] } | undefined;
  readonly trailingStop?: number | null | undefined;
  readonly staleAfterDays?: number | null | undefined;
  readonly basis?: PriceBasis | undefined;
  readonly strategyCheck?: boolean | undefined;
}

const fraction = z
  .number()
  .refine((x) => Math.abs(x) > 0 && Math.abs(x) < 1, 'a threshold must be a fraction strictly between 0 and 1 (0.05 = 5%)');
const list = z.array(fraction).max(20, 'at most 20 thresholds');

const settingsSchema = z.strictObject({
  thresholds: z.union([list, z.strictObject({ portfolio: list.optional(), position: list.optional() })]).optional(),
  trailingStop: z.number().gt(0, 'trailing stop must be above 0').lt(1, 'trailing stop must be below 1 (0.15 = 15%)').nullable().optional(),
  staleAfterDays: z.number().int().min(0).max(3650).nullable().optional(),
  basis: z.enum(PRICE_BASES).optional(),
  strategyCheck: z.boolean().optional(),
});

/**
 * Validates and fills defaults.
 * @example monitorSettings({ thresholds: [0.05, 0.1], trailingStop: 0.15 }).thresholds.portfolio // [-0.05, -0.1]
 */
export function monitorSettings(input: MonitorSettingsInput = {}): MonitorSettings {
  const parsed = settingsSchema.safeParse(stripUndefined(input));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ValidationError(issue.path.length > 0 ? issue.path.join('.') : 'monitor', issue.message);
  }
  const raw = parsed.data.thresholds;
  const both = Array.isArray(raw) ? raw : undefined;
  const scoped = Array.isArray(raw) ? undefined : raw;
  return {
    thresholds: {
      portfolio: normaliseThresholds(both ?? scoped?.portfolio ?? DEFAULT_THRESHOLDS),
      position: normaliseThresholds(both ?? scoped?.position ?? DEFAULT_THRESHOLDS),
    },
    trailingStop: parsed.data.trailingStop ?? null,
    staleAfterDays: parsed.data.staleAfterDays ?? null,
    basis: parsed.data.basis ?? 'close',
    strategyCheck: parsed.data.strategyCheck ?? true,
  };
}

/**
 * Negative, rounded to 1e-6 (so -0.05 from "5%" and from "0.05" is one stored key), unique,
 * shallowest first.
 */
export function normaliseThresholds(values: readonly number[]): number[] {
  const rounded = values.map((x) => -Math.round(Math.abs(x) * 1e6) / 1e6);
  return [...new Set(rounded)].sort((a, b) => b - a);
}

/** Calendar days a last bar may be old before it is stale: a long weekend for daily bars. */
export function defaultStaleDays(interval: Interval): number {
  switch (interval) {
    case '1wk':
      return 10;
    case '1mo':
      return 35;
    case '1d':
      return 4;
    default:
      return 3;
  }
}

function stripUndefined<T extends object>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as Partial<T>;
}

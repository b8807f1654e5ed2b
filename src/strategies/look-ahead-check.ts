/**
 * The no-look-ahead property, as one call for any strategy (the built-ins' tests use it too): on
 * random panels (random-walk prices; one symbol starting late, one with gaps), changing every bar
 * after a random t (prices scaled by random factors, bars removed, bars added where a symbol had
 * none) must never change the targets, the scores or the rebalance flags at or before t. A strategy
 * that declares point-in-time data (Strategy.data) gets random fundamentals and events too, and
 * everything the bars after t could see of them changes with the prices (look-ahead-data.ts).
 * fast-check draws the panels, the t and the changes, and shrinks a failure to a small case.
 *
 * @example assertNoLookAhead(myStrategy, { params: { lookback: 63 } }); // throws, naming bar and symbol, if it peeks
 */
import fc from 'fast-check';
import type { AssetClass } from '../data/bar.js';
import { PANEL_FIELDS, type PanelField } from '../data/panel.js';
import { slicePointInTime } from '../data/strategy-data.js';
import { createRandom } from '../util/random.js';
import { perturbPointInTimeAfter, pointInTimeBars, randomPointInTime } from './look-ahead-data.js';
import { resolveParams, type Strategy, type StrategyPanel, type StrategyParams, type TargetSchedule } from './strategy.js';

export interface LookAheadOptions {
  /** Hyperparameters (defaults filled in); choose lookbacks that trade within `bars`. */
  readonly params?: Record<string, unknown>;
  /** Random cases to try (default 25). */
  readonly runs?: number;
  /** Bars per random panel (default 420, weekdays from 2020-01-01). */
  readonly bars?: number;
  /** fast-check's seed, to replay a failure. */
  readonly seed?: number;
}

export interface LookAheadReport {
  readonly strategy: string;
  readonly runs: number;
  readonly seed: number;
}

export class LookAheadError extends Error {
  override readonly name = 'LookAheadError';
}

const SYMBOLS = ['AAA', 'BBB', 'CCC', 'DDD', 'EEE'];
const ASSET_CLASSES: readonly AssetClass[] = ['equity', 'equity', 'bond', 'commodity', 'bond'];

/** Throws a LookAheadError describing the first change it finds, or when the strategy never trades on the random panels (the check would prove nothing). */
export function assertNoLookAhead(strategy: Strategy<StrategyParams>, options: LookAheadOptions = {}): LookAheadReport {
  const bars = options.bars ?? 420;
  const runs = options.runs ?? 25;
  const params = resolveParams(strategy, '1d', options.params ?? {});
  const panelOf = (seed: number): StrategyPanel => {
    const panel = randomPanel(seed, bars);
    return strategy.data ? { ...panel, ...randomPointInTime(seed, strategy.data, panel.symbols, panel.dates) } : panel;
  };
  const trades = strategy.targets(panelOf(7), params).targets.some((w) => Number.isFinite(w) && w !== 0);
  if (!trades) {
    throw new LookAheadError(
      `${strategy.name} takes no position on a random ${bars}-bar panel with ${JSON.stringify(params)}: the check would prove nothing; pass params (shorter lookbacks) that trade`,
    );
  }
  // Half the cases cut at a bar where the strategy rebalances: a peek of even one bar there changes
  // what it trades, where a t drawn over all bars would meet a monthly rebalance once in ~21 cases.
  // Of the others, half cut where its point-in-time data changes (at an event, or the bar before).
  const caseOf = (seed: number, at: number, atRebalance: boolean) => {
    const panel = panelOf(seed);
    const before = strategy.targets(panel, params);
    const rows = [...before.rebalance.keys()].filter((i) => before.rebalance[i] === 1 && i <= bars - 2);
    const changes = atRebalance || at % 2 === 1 ? [] : pointInTimeBars(panel, bars - 1);
    const t =
      atRebalance && rows.length > 0
        ? rows[at % rows.length]!
        : changes.length > 0
          ? changes[Math.floor(at / 2) % changes.length]!
          : at % (bars - 1);
    return { panel, before, t };
  };
  const details = fc.check(
    fc.property(
      fc.integer({ min: 1, max: 1e6 }),
      fc.nat(1e6),
      fc.integer({ min: 1, max: 1e6 }),
      fc.boolean(),
      (seed, at, change, atRebalance) => {
        const { panel, before, t } = caseOf(seed, at, atRebalance);
        return firstDifference(strategy, params, panel, before, t, change) === undefined;
      },
    ),
    { numRuns: runs, ...(options.seed !== undefined && { seed: options.seed }) },
  );
  if (details.failed) {
    const [seed, at, change, atRebalance] = details.counterexample!;
    const { panel, before, t } = caseOf(seed, at, atRebalance);
    const where =
      firstDifference(strategy, params, panel, before, t, change) ??
      ('errorInstance' in details ? `nothing, but threw ${String(details.errorInstance)}` : 'something');
    throw new LookAheadError(
      `${strategy.name} looks ahead: ${changedFuture(panel, t, change).how} changed ${where} ` +
        `(fast-check seed ${details.seed}, path ${details.counterexample ? JSON.stringify(details.counterexample) : '?'})`,
    );
  }
  return { strategy: strategy.name, runs: details.numRuns, seed: details.seed };
}

/** What differs at or before t once the bars after t change, or undefined. */
function firstDifference(
  strategy: Strategy<StrategyParams>,
  params: StrategyParams,
  panel: StrategyPanel,
  before: TargetSchedule,
  t: number,
  change: number,
): string | undefined {
  const after = strategy.targets(changedFuture(panel, t, change).panel, params);
  const n = panel.symbols.length;
  for (let i = 0; i <= t; i++) {
    const day = `${isoDay(panel.dates[i]!)} (bar ${i})`;
    if (before.rebalance[i] !== after.rebalance[i]) return `the rebalance flag of ${day}`;
    for (let j = 0; j < n; j++) {
      const k = i * n + j;
      if (!Object.is(before.targets[k], after.targets[k])) {
        return `the target of ${panel.symbols[j]} on ${day} from ${before.targets[k]} to ${after.targets[k]}`;
      }
      if (before.scores && !Object.is(before.scores[k], after.scores?.[k])) {
        return `the score of ${panel.symbols[j]} on ${day} from ${before.scores[k]} to ${after.scores?.[k]}`;
      }
    }
  }
  return undefined;
}

/** Weekday dates and random-walk prices for every panel field; one symbol starts late, one has gaps. */
export function randomPanel(seed: number, bars: number): StrategyPanel {
  const random = createRandom(seed);
  const dates: number[] = [];
  for (let ts = Date.UTC(2020, 0, 1); dates.length < bars; ts += 86_400_000) if (![0, 6].includes(new Date(ts).getUTCDay())) dates.push(ts);
  const columns = (): Float64Array[] => SYMBOLS.map(() => new Float64Array(bars));
  const open = columns();
  const high = columns();
  const low = columns();
  const close = columns();
  const volume = columns();
  SYMBOLS.forEach((_, j) => {
    let price = 50 + 100 * random.next();
    const drift = (random.next() - 0.5) * 0.004;
    for (let t = 0; t < bars; t++) {
      open[j]![t] = price;
      price *= Math.exp(drift + 0.02 * random.normal());
      close[j]![t] = price;
      high[j]![t] = Math.max(open[j]![t]!, price) * (1 + 0.01 * random.next());
      low[j]![t] = Math.min(open[j]![t]!, price) * (1 - 0.01 * random.next());
      volume[j]![t] = Math.round(1e5 * (1 + random.next()));
      const missing = (j === 3 && t < 60) || (j === 4 && random.next() < 0.02);
      if (missing) open[j]![t] = close[j]![t] = high[j]![t] = low[j]![t] = volume[j]![t] = Number.NaN;
    }
  });
  const byField: Record<PanelField, Float64Array[]> = {
    open,
    high,
    low,
    close,
    adj_close: close,
    volume,
    adj_open: open,
    adj_high: high,
    adj_low: low,
  };
  const values = Object.fromEntries(PANEL_FIELDS.map((f) => [f, byField[f]])) as Record<PanelField, Float64Array[]>;
  return { interval: '1d', symbols: SYMBOLS, dates: Float64Array.from(dates), values, assetClasses: ASSET_CLASSES };
}

/**
 * The panel with its future after bar t changed, one of two ways (by `change`): it ends a few bars
 * after t (the backtest run earlier: nothing may count from the last bar), or every bar after t
 * changes (prices rescaled, bars removed, bars added, and some symbols delisted for good).
 */
function changedFuture(panel: StrategyPanel, t: number, change: number): { panel: StrategyPanel; how: string } {
  const after = `the bars after ${isoDay(panel.dates[t]!)} (bar ${t})`;
  if (change % 3 !== 0) return { panel: perturbAfter(panel, t, change), how: `changing ${after}` };
  // At least bar t + 1 stays: a rebalance flag at t may depend on the next bar's date (month ends).
  const end = Math.min(panel.dates.length, t + 2 + (Math.floor(change / 3) % 5));
  const values = Object.fromEntries(Object.entries(panel.values).map(([field, columns]) => [field, columns!.map((c) => c.slice(0, end))]));
  return {
    panel: {
      ...panel,
      dates: panel.dates.slice(0, end),
      values: values as Record<PanelField, Float64Array[]>,
      ...slicePointInTime(panel, 0, end),
    },
    how: `ending the panel at bar ${end - 1}, ${end - 1 - t} after ${after}`,
  };
}

/** The same panel with every bar after t changed (a field shared by two names stays shared); about a quarter of the symbols end at a random bar after t. */
function perturbAfter(panel: StrategyPanel, t: number, seed: number): StrategyPanel {
  const random = createRandom(seed);
  const changed = new Map<Float64Array, Float64Array>();
  const values: Record<string, Float64Array[]> = {};
  for (const [field, columns] of Object.entries(panel.values)) {
    values[field] = columns!.map((column, j) => {
      let copy = changed.get(column);
      if (copy) return copy;
      copy = Float64Array.from(column);
      const rowSeed = createRandom(seed + j);
      const delisted = rowSeed.next() < 0.25 ? t + 1 + Math.floor(rowSeed.next() * (copy.length - t - 1)) : copy.length;
      copy.fill(Number.NaN, delisted);
      for (let i = t + 1; i < delisted; i++) {
        const roll = rowSeed.next();
        copy[i] = roll < 0.05 ? Number.NaN : Number.isNaN(copy[i]!) ? 20 + 80 * random.next() : copy[i]! * (0.5 + random.next());
      }
      changed.set(column, copy);
      return copy;
    });
  }
  return {
    ...panel,
    values: values as Record<PanelField, Float64Array[]>,
    ...perturbPointInTimeAfter(panel, panel.symbols, panel.dates, t, seed),
  };
}

function isoDay(ts: number): string {
  return new Date(ts).toISOString().slice(0, 10);
}

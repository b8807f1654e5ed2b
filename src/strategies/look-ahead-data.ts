/**
 * The point-in-time half of the no-look-ahead check (look-ahead-check.ts), for strategies that
 * declare `data`: random fundamentals and events on a random panel, and the same with everything
 * the bars after t could see changed (values and period ends rescaled, events altered, removed and
 * added), which must never change what the strategy does at or before t.
 */
import type { DataNeeds, PanelFundamentals, Placed, PointInTimeData } from '../data/strategy-data.js';
import type { FundamentalField } from '../data/fundamental.js';
import { ANALYST_ACTIONS, type AnalystAction, type EarningsEvent } from '../data/qualitative.js';
import { createRandom, type Random } from '../util/random.js';

const DAY_MS = 86_400_000;
/** Bars between two statements or announcements of a symbol (a quarter of daily bars). */
const QUARTER = 63;

/**
 * Random data of the kinds `needs` asks for on a panel's bars. Statements every ~quarter per symbol
 * (the third symbol has none), values between -20 and 100 (so ratios of them pass and fail screens);
 * an earnings announcement every ~quarter; analysts' actions on ~3% of a symbol's bars.
 */
export function randomPointInTime(seed: number, needs: DataNeeds, symbols: readonly string[], dates: Float64Array): PointInTimeData {
  const random = createRandom(seed ^ 0x5eed);
  const bars = dates.length;
  const out: { -readonly [K in keyof PointInTimeData]: PointInTimeData[K] } = {};
  if (needs.fundamentals) {
    const { fields, periodType } = needs.fundamentals;
    const values: Partial<Record<FundamentalField, Float64Array[]>> = {};
    const periodEnd: Partial<Record<FundamentalField, Float64Array[]>> = {};
    for (const field of fields) {
      values[field] = symbols.map(() => new Float64Array(bars).fill(Number.NaN));
      periodEnd[field] = symbols.map(() => new Float64Array(bars).fill(Number.NaN));
    }
    symbols.forEach((_, j) => {
      if (j === 2) return;
      for (let report = 10 + Math.floor(random.next() * 20); report < bars; report += QUARTER + Math.floor(random.next() * 10)) {
        const period = dates[report]! - 50 * DAY_MS;
        for (const field of fields) {
          values[field]![j]!.fill(-20 + 120 * random.next(), report);
          periodEnd[field]![j]!.fill(period, report);
        }
      }
    });
    out.fundamentals = { fields, periodType, values, periodEnd };
  }
  if (needs.earnings) out.earnings = symbols.map((symbol) => randomEarnings(random, symbol, dates, 1));
  if (needs.analystActions) out.analystActions = symbols.map((symbol) => randomActions(random, symbol, dates, 1));
  return out;
}

/**
 * The bars where the data changes (an event's first bar, a new fundamental value) and the bars
 * just before them, below `last`: a peek of one bar shows at these cuts.
 */
export function pointInTimeBars(data: PointInTimeData, last: number): number[] {
  const bars = new Set<number>();
  const add = (bar: number) => [bar - 1, bar].forEach((b) => b >= 0 && b < last && bars.add(b));
  for (const lists of [data.earnings, data.analystActions]) for (const list of lists ?? []) for (const e of list) add(e.firstBar);
  for (const columns of Object.values(data.fundamentals?.values ?? {}))
    for (const column of columns!) for (let i = 1; i < column.length; i++) if (!Object.is(column[i], column[i - 1])) add(i);
  return [...bars].sort((a, b) => a - b);
}

/** The data with everything after bar t changed (what bars up to t see stays as it is). */
export function perturbPointInTimeAfter(
  data: PointInTimeData,
  symbols: readonly string[],
  dates: Float64Array,
  t: number,
  seed: number,
): PointInTimeData {
  const random = createRandom(seed ^ 0xda7a);
  const out: { -readonly [K in keyof PointInTimeData]: PointInTimeData[K] } = {};
  if (data.fundamentals) out.fundamentals = perturbFundamentals(data.fundamentals, t, random);
  const keepUpTo = <E>(list: readonly Placed<E>[], alter: (e: Placed<E>) => Placed<E>): Placed<E>[] =>
    list.flatMap((e) => (e.firstBar <= t ? [e] : random.next() < 0.4 ? [] : [random.next() < 0.7 ? alter(e) : e]));
  const byBar = <E>(list: Placed<E>[]) => list.sort((a, b) => a.firstBar - b.firstBar);
  if (data.earnings) {
    out.earnings = data.earnings.map((list, j) =>
      byBar([
        // the surprise mirrored: a beat becomes a miss of the same size
        ...keepUpTo(list, (e) => ({ ...e, epsActual: e.epsEstimate! - ((e.epsActual ?? 0) - e.epsEstimate!) })),
        ...randomEarnings(random, symbols[j]!, dates, t + 1),
      ]),
    );
  }
  if (data.analystActions) {
    out.analystActions = data.analystActions.map((list, j) =>
      byBar([
        ...keepUpTo(list, (a) => ({ ...a, action: a.action === 'up' ? ('down' as const) : ('up' as const) })),
        ...randomActions(random, symbols[j]!, dates, t + 1),
      ]),
    );
  }
  return out;
}

function perturbFundamentals(f: PanelFundamentals, t: number, random: Random): PanelFundamentals {
  const change = (columns: Partial<Record<FundamentalField, readonly Float64Array[]>>, how: (x: number) => number) =>
    Object.fromEntries(
      Object.entries(columns).map(([field, cs]) => [
        field,
        cs!.map((c) => {
          const copy = Float64Array.from(c);
          for (let i = t + 1; i < copy.length; i++) if (random.next() < 0.5) copy[i] = how(copy[i]!);
          return copy;
        }),
      ]),
    );
  return {
    ...f,
    values: change(f.values, (x) => (Number.isNaN(x) ? 50 * random.next() : -x * random.next())),
    periodEnd: change(f.periodEnd, (p) => (Number.isNaN(p) ? Date.UTC(2020, 0, 1) : p + QUARTER * DAY_MS)),
  };
}

/** Announcements from bar `from` on, one every ~quarter, known on the day before the bar that first sees each. */
function randomEarnings(random: Random, symbol: string, dates: Float64Array, from: number): Placed<EarningsEvent>[] {
  const events: Placed<EarningsEvent>[] = [];
  for (let bar = from + Math.floor(random.next() * QUARTER); bar < dates.length; bar += QUARTER - 10 + Math.floor(random.next() * 20)) {
    const estimate = 0.2 + 2 * random.next();
    events.push({
      symbol,
      periodEnd: new Date(dates[bar]! - 40 * DAY_MS).toISOString().slice(0, 10),
      epsActual: random.next() < 0.05 ? null : estimate * (0.7 + 0.6 * random.next()),
      epsEstimate: estimate,
      knownAt: dates[bar]! - DAY_MS / 2,
      knownRule: 'reported',
      source: 'random',
      firstBar: bar,
    });
  }
  return events;
}

/** Analysts' actions on ~3% of the bars from `from` on. */
function randomActions(random: Random, symbol: string, dates: Float64Array, from: number): Placed<AnalystAction>[] {
  const actions: Placed<AnalystAction>[] = [];
  for (let bar = from; bar < dates.length; bar++) {
    if (random.next() >= 0.03) continue;
    actions.push({
      symbol,
      actedAt: dates[bar]! - DAY_MS / 2,
      firm: `firm ${Math.floor(random.next() * 5)}`,
      action: ANALYST_ACTIONS[Math.floor(random.next() * ANALYST_ACTIONS.length)]!,
      fromGrade: null,
      toGrade: null,
      source: 'random',
      firstBar: bar,
    });
  }
  return actions;
}

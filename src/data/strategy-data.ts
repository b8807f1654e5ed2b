/**
 * The point-in-time data a strategy declares beyond prices (Strategy.data): fundamentals on the
 * panel's bars (loadFundamentals), and earnings announcements and analysts' actions each placed at
 * the first bar that may see it, by the one as-of rule of fundamentals.ts (AS_OF_RULE: a bar sees
 * what was known before its UTC day). Everything that runs a strategy on stored data loads it here,
 * once, so strategies stay pure functions of their panel; a strategy declaring nothing costs no query.
 *
 * What was seen is also described for the record (dataUsed): the fields, period type, as-of rule,
 * publication lags and event kinds, with a sha256 over every value and event the bars could see, in
 * bar order: a row added inside the period changes it, one known only after the last bar does not.
 */
import { createHash } from 'node:crypto';
import type { Database } from '../db/database.js';
import { PUBLICATION_LAG_DAYS, type FundamentalField, type PeriodType } from './fundamental.js';
import { AS_OF_RULE, dayStart, firstBarSeeing, loadFundamentals } from './fundamentals.js';
import type { AnalystAction, EarningsEvent } from './qualitative.js';
import { loadAnalystActions, loadEarningsEvents } from './qualitative-store.js';

/** What a strategy reads besides prices (all optional). */
export interface DataNeeds {
  readonly fundamentals?: { readonly fields: readonly FundamentalField[]; readonly periodType: PeriodType };
  readonly earnings?: true;
  readonly analystActions?: true;
}

/** An event with the index of the first bar that may see it. */
export type Placed<E> = E & { readonly firstBar: number };

export interface PanelFundamentals {
  readonly fields: readonly FundamentalField[];
  readonly periodType: PeriodType;
  /** values[field][symbolIndex][bar]: the value seen at that bar's close, NaN when none. */
  readonly values: Partial<Record<FundamentalField, readonly Float64Array[]>>;
  /** Epoch ms of the period end of each value seen, NaN when none. */
  readonly periodEnd: Partial<Record<FundamentalField, readonly Float64Array[]>>;
}

/** The point-in-time inputs of a StrategyPanel; events per symbol (panel order), by first bar. */
export interface PointInTimeData {
  readonly fundamentals?: PanelFundamentals;
  readonly earnings?: readonly (readonly Placed<EarningsEvent>[])[];
  readonly analystActions?: readonly (readonly Placed<AnalystAction>[])[];
}

/**
 * @example const pit = await loadStrategyData(db, strategy.data, panel); strategy.targets({ ...panel, ...pit }, params)
 * `asOf` (epoch ms, inclusive): nothing known after it is seen at any bar (the data as of a past instant).
 */
export async function loadStrategyData(
  db: Database,
  needs: DataNeeds | undefined,
  panel: { readonly symbols: readonly string[]; readonly dates: Float64Array },
  options: { readonly asOf?: number | undefined } = {},
): Promise<PointInTimeData> {
  if (!needs || panel.dates.length === 0) return {};
  const { symbols, dates } = panel;
  // Only what the last bar can see: known before its UTC day (and by asOf).
  const lastSeen = dayStart(dates[dates.length - 1]!) - 1;
  const asOf = Math.min(lastSeen, options.asOf ?? lastSeen);
  const out: { -readonly [K in keyof PointInTimeData]: PointInTimeData[K] } = {};
  if (needs.fundamentals) {
    const { fields, periodType } = needs.fundamentals;
    const loaded = await loadFundamentals(db, symbols, fields, { dates, asOf, periodType });
    out.fundamentals = { fields, periodType, values: loaded.values, periodEnd: loaded.periodEnd };
  }
  if (needs.earnings) {
    out.earnings = placeEvents(symbols, dates, await loadEarningsEvents(db, { symbols, asOf }), (e) => e.knownAt);
  }
  if (needs.analystActions) {
    out.analystActions = placeEvents(symbols, dates, await loadAnalystActions(db, { symbols, asOf }), (a) => a.actedAt);
  }
  return out;
}

/**
 * Events grouped by symbol (panel order), each with the first bar that sees it (firstBarSeeing),
 * in first-bar order (stable: the given order within a bar); events no bar sees are left out.
 */
export function placeEvents<E extends { readonly symbol: string }>(
  symbols: readonly string[],
  dates: Float64Array,
  events: readonly E[],
  knownAt: (event: E) => number,
): Placed<E>[][] {
  const index = new Map(symbols.map((s, j) => [s, j]));
  const out: Placed<E>[][] = symbols.map(() => []);
  for (const event of events) {
    const j = index.get(event.symbol);
    const firstBar = firstBarSeeing(dates, knownAt(event));
    if (j !== undefined && firstBar < dates.length) out[j]!.push({ ...event, firstBar });
  }
  for (const list of out) list.sort((a, b) => a.firstBar - b.firstBar);
  return out;
}

/** The data of bars [from, to) of the panel, as a panel cut to those bars sees it (first bars renumbered). */
export function slicePointInTime(data: PointInTimeData, from: number, to: number): PointInTimeData {
  const cut = (columns: Partial<Record<FundamentalField, readonly Float64Array[]>>) =>
    Object.fromEntries(Object.entries(columns).map(([field, cs]) => [field, cs!.map((c) => c.subarray(from, to))]));
  const events = <E>(lists: readonly (readonly Placed<E>[])[]) =>
    lists.map((list) => list.filter((e) => e.firstBar < to).map((e) => ({ ...e, firstBar: Math.max(0, e.firstBar - from) })));
  return {
    ...(data.fundamentals && {
      fundamentals: { ...data.fundamentals, values: cut(data.fundamentals.values), periodEnd: cut(data.fundamentals.periodEnd) },
    }),
    ...(data.earnings && { earnings: events(data.earnings) }),
    ...(data.analystActions && { analystActions: events(data.analystActions) }),
  };
}

/** What a result records of the point-in-time data it used. */
export interface DataUsed {
  readonly asOfRule: string;
  readonly fundamentals: { readonly fields: readonly FundamentalField[]; readonly periodType: PeriodType; readonly lagDays: number } | null;
  readonly events: readonly ('earnings' | 'analyst-actions')[];
  /** Event rows seen by some bar. */
  readonly eventRows: number;
  /** sha256 over every fundamental value and period end on the bars, and every event seen with its first bar. */
  readonly fingerprint: string;
}

/** The record of a panel's point-in-time data; null when it has none (a price-only strategy). */
export function dataUsed(data: PointInTimeData): DataUsed | null {
  const { fundamentals, earnings, analystActions } = data;
  if (!fundamentals && !earnings && !analystActions) return null;
  const hash = createHash('sha256').update(`${AS_OF_RULE}\n`);
  if (fundamentals) {
    hash.update(`fundamentals ${fundamentals.periodType} lag ${PUBLICATION_LAG_DAYS[fundamentals.periodType]}\n`);
    for (const field of fundamentals.fields) {
      hash.update(`\n${field}\n`);
      for (const column of [...fundamentals.values[field]!, ...fundamentals.periodEnd[field]!]) {
        hash.update(new Uint8Array(column.buffer, column.byteOffset, column.byteLength));
      }
    }
  }
  const kinds: ['earnings' | 'analyst-actions', readonly (readonly Placed<object>[])[] | undefined][] = [
    ['earnings', earnings],
    ['analyst-actions', analystActions],
  ];
  let eventRows = 0;
  for (const [kind, lists] of kinds) {
    if (!lists) continue;
    hash.update(`\n${kind}\n`);
    for (const list of lists) {
      eventRows += list.length;
      hash.update(`${JSON.stringify(list)}\n`);
    }
  }
  return {
    asOfRule: AS_OF_RULE,
    fundamentals: fundamentals
      ? { fields: fundamentals.fields, periodType: fundamentals.periodType, lagDays: PUBLICATION_LAG_DAYS[fundamentals.periodType] }
      : null,
    events: kinds.filter(([, lists]) => lists).map(([kind]) => kind),
    eventRows,
    fingerprint: `sha256:${hash.digest('hex')}`,
  };
}

/**
 * One line for people: what is read, and the rule.
 * @example describeDataNeeds({ earnings: true }) // 'earnings announcements; each seen from the UTC day after it was known'
 */
export function describeDataNeeds(needs: DataNeeds): string {
  const { fundamentals } = needs;
  const parts = [
    ...(fundamentals
      ? [
          `${fundamentals.periodType} fundamentals ${fundamentals.fields.join(', ')} (known at the reported date, else period end + ${PUBLICATION_LAG_DAYS[fundamentals.periodType]} days)`,
        ]
      : []),
    ...(needs.earnings ? ['earnings announcements'] : []),
    ...(needs.analystActions ? ["analysts' actions"] : []),
  ];
  return `${parts.join('; ')}; each seen from the UTC day after it was known`;
}

/** One line for people of a stored record: what was read, how many events, the rule and the fingerprint. */
export function describeDataUsed(used: DataUsed): string {
  const fundamentals = used.fundamentals
    ? [`${used.fundamentals.periodType} ${used.fundamentals.fields.join(', ')} (lag ${used.fundamentals.lagDays} days)`]
    : [];
  const events = used.events.length > 0 ? [`${used.eventRows} event(s): ${used.events.join(', ')}`] : [];
  return `${[...fundamentals, ...events].join('; ')}; as of: ${used.asOfRule}; ${used.fingerprint}`;
}

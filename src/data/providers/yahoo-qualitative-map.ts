/**
 * Yahoo's qualitative answers (quoteSummary's upgradeDowngradeHistory, recommendationTrend,
 * earningsHistory and calendarEvents; search's news) mapped to the types of qualitative.ts. Pure:
 * each item is checked on its own with zod and a bad one is dropped with a note saying why, so one
 * odd item (a new action code, a negative count, a link that is not http(s)) never costs the rest.
 *
 * The input is what yahoo-finance2 returns with `validateResult: false`: its schema has coerced
 * what matched (`{ raw }` numbers, epoch seconds to Dates) and left the rest as Yahoo sent it.
 */
import { z } from 'zod';
import { knownAtOf, PUBLICATION_LAG_DAYS } from '../fundamental.js';
import { ANALYST_ACTIONS, type AnalystAction, type EarningsEvent, type NewsHeadline, type RecommendationTrend } from '../qualitative.js';

const DAY_MS = 86_400_000;
/** Yahoo's clock and ours may differ a little: an item dated up to this much after the fetch is accepted. */
const CLOCK_SKEW_MS = 3_600_000;

export interface Mapped<T> {
  readonly items: readonly T[];
  readonly notes: readonly string[];
}

/** What every mapping needs: whose items, from which source, fetched when. */
export interface MapContext {
  readonly symbol: string;
  readonly source: string;
  /** Epoch ms of the fetch. */
  readonly fetchedAt: number;
}

/** A real instant, not after the fetch (an item from the future is a data error). */
const instant = (fetchedAt: number) =>
  z.date({ error: 'missing or invalid date' }).refine((d) => d.getTime() <= fetchedAt + CLOCK_SKEW_MS, 'dated after the fetch');
const text = (what: string) =>
  z
    .string({ error: `missing ${what}` })
    .trim()
    .min(1, `empty ${what}`);
const finite = z.number().finite().nullable().catch(null);

/** Checks each of `raw`'s items with `schema`; the failures become notes naming the item. */
function eachItem<S extends z.ZodType, T>(
  raw: readonly unknown[],
  schema: S,
  what: string,
  map: (item: z.output<S>) => T,
): { items: T[]; notes: string[] } {
  const items: T[] = [];
  const notes: string[] = [];
  raw.forEach((entry, i) => {
    const parsed = schema.safeParse(entry);
    if (parsed.success) items.push(map(parsed.data));
    else notes.push(`${what} ${i + 1} dropped: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
  });
  return { items, notes };
}

const grade = (value: string | undefined): string | null => (value === undefined || value.trim() === '' ? null : value.trim());

/** upgradeDowngradeHistory's `history`: one action per item, an unknown action code dropped. */
export function mapAnalystActions(history: readonly unknown[], ctx: MapContext): Mapped<AnalystAction> {
  const schema = z.object({
    epochGradeDate: instant(ctx.fetchedAt),
    firm: text('firm'),
    action: z.enum(ANALYST_ACTIONS, { error: (issue) => `unknown action code ${JSON.stringify(issue.input)}` }),
    fromGrade: z.string().optional().catch(undefined),
    toGrade: z.string().optional().catch(undefined),
  });
  const checked = eachItem(history, schema, 'analyst action', (a): AnalystAction => ({
    symbol: ctx.symbol,
    actedAt: a.epochGradeDate.getTime(),
    firm: a.firm,
    action: a.action,
    fromGrade: grade(a.fromGrade),
    toGrade: grade(a.toGrade),
    source: ctx.source,
  }));
  const once = onePerKey(checked.items, (a) => `${a.firm} ${new Date(a.actedAt).toISOString()}`, 'analyst action of');
  return { items: once.items, notes: [...checked.notes, ...once.notes] };
}

/** YYYY-MM-01 of the UTC month `offset` months before the instant's. */
function monthBefore(at: number, offset: number): string {
  const date = new Date(at);
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - offset, 1)).toISOString().slice(0, 10);
}

/**
 * recommendationTrend's `trend`: period '0m' is the fetch's month, '-1m' the month before, and so
 * on; the counts are known from the fetch only (Yahoo dates them no earlier).
 */
export function mapRecommendationTrends(trend: readonly unknown[], ctx: MapContext): Mapped<RecommendationTrend> {
  const count = (name: string) =>
    z
      .number({ error: `missing ${name} count` })
      .int(`${name} count is not a whole number`)
      .min(0, `negative ${name} count`);
  const schema = z.object({
    period: z.string({ error: 'missing period' }).regex(/^(0|-\d{1,2})m$/, 'period is not a month offset like 0m or -1m'),
    strongBuy: count('strong buy'),
    buy: count('buy'),
    hold: count('hold'),
    sell: count('sell'),
    strongSell: count('strong sell'),
  });
  return eachItem(trend, schema, 'recommendation trend', (t) => ({
    symbol: ctx.symbol,
    month: monthBefore(ctx.fetchedAt, -Number.parseInt(t.period, 10)),
    strongBuy: t.strongBuy,
    buy: t.buy,
    hold: t.hold,
    sell: t.sell,
    strongSell: t.strongSell,
    knownAt: ctx.fetchedAt,
    source: ctx.source,
  }));
}

const isoDate = (at: number): string => new Date(at).toISOString().slice(0, 10);

/**
 * earningsHistory's `history`: a reported quarter each. Yahoo gives no announcement date, so each
 * is known from the quarter's end plus the quarterly publication lag (known_rule 'lag'). A quarter
 * without a reported EPS is dropped; a quarter listed twice is kept once when both agree and
 * dropped when they contradict (which one is right cannot be told).
 */
export function mapEarningsHistory(history: readonly unknown[], ctx: MapContext): Mapped<EarningsEvent> {
  const schema = z.object({
    quarter: z.date({ error: 'missing or invalid quarter' }),
    epsActual: z.number({ error: 'no reported EPS' }).finite(),
    epsEstimate: finite,
  });
  const checked = eachItem(history, schema, 'earnings quarter', (e): EarningsEvent => {
    const periodEnd = Date.parse(isoDate(e.quarter.getTime()));
    return {
      symbol: ctx.symbol,
      periodEnd: isoDate(periodEnd),
      epsActual: e.epsActual,
      epsEstimate: e.epsEstimate,
      knownAt: knownAtOf(periodEnd, 'quarterly', null),
      knownRule: 'lag',
      source: ctx.source,
    };
  });
  const once = onePerKey(checked.items, (e) => e.periodEnd, `earnings quarter`);
  return { items: once.items, notes: [...checked.notes, ...once.notes] };
}

/**
 * One item per key (what the table's primary key makes one row): an item listed again alike is
 * kept once; items of one key that differ are all dropped, since which is right cannot be told
 * (and the store would keep whichever came first).
 */
function onePerKey<T>(items: readonly T[], key: (item: T) => string, what: string): Mapped<T> {
  const byKey = new Map<string, T[]>();
  for (const item of items) byKey.set(key(item), [...(byKey.get(key(item)) ?? []), item]);
  const notes: string[] = [];
  const kept = [...byKey].flatMap(([k, listed]) => {
    if (listed.length === 1) return listed;
    const agree = listed.every((item) => JSON.stringify(item) === JSON.stringify(listed[0]));
    notes.push(
      agree ? `${what} ${k} listed ${listed.length} times: kept once` : `${what} ${k} dropped: listed ${listed.length} times, differently`,
    );
    return agree ? [listed[0]!] : [];
  });
  return { items: kept, notes };
}

/** The last day of the month `months` after the date's month: a quarter end three months on. */
function monthEndAfter(periodEnd: string, months: number): string {
  const date = new Date(`${periodEnd}T00:00:00Z`);
  return isoDate(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months + 1, 0));
}

/**
 * calendarEvents' next earnings announcement, as an event with no actual EPS yet: known_rule
 * 'reported' and known_at the announced date, the consensus (`earningsAverage`) as the estimate.
 * Yahoo does not say which quarter it reports, so the period end is the quarter after the latest
 * in earningsHistory (`latestQuarter`, month ends, as Yahoo lists them). Stored only when that is
 * sound: a single confirmed date (not Yahoo's estimate, not a window), still to come, after the
 * inferred quarter's end and within PUBLICATION_LAG_DAYS.annual of it; otherwise a note says why.
 */
export function mapUpcomingEarnings(calendar: unknown, latestQuarter: string | undefined, ctx: MapContext): Mapped<EarningsEvent> {
  const schema = z.object({
    earnings: z.object({
      earningsDate: z.array(z.date()).catch([]),
      isEarningsDateEstimate: z.boolean().optional().catch(undefined),
      earningsAverage: finite.optional(),
    }),
  });
  const parsed = schema.safeParse(calendar);
  const skip = (why: string): Mapped<EarningsEvent> => ({ items: [], notes: [`upcoming earnings date not stored: ${why}`] });
  if (!parsed.success || parsed.data.earnings.earningsDate.length === 0) return { items: [], notes: [] };
  const { earningsDate, isEarningsDateEstimate, earningsAverage } = parsed.data.earnings;
  const dates = earningsDate.map((d) => isoDate(d.getTime())).join(' to ');
  if (earningsDate.length > 1 || isEarningsDateEstimate) return skip(`${dates} is Yahoo's estimate, not an announced date`);
  const announcedAt = earningsDate[0]!.getTime();
  if (announcedAt <= ctx.fetchedAt) return skip(`${dates} has passed (earningsHistory gives the result)`);
  if (latestQuarter === undefined) return skip(`no reported quarter to tell which quarter ${dates} reports`);
  const periodEnd = monthEndAfter(latestQuarter, 3);
  const quarterEnd = Date.parse(`${periodEnd}T00:00:00Z`);
  if (announcedAt <= quarterEnd || announcedAt > quarterEnd + PUBLICATION_LAG_DAYS.annual * DAY_MS)
    return skip(`${dates} does not follow the quarter after ${latestQuarter} (ending ${periodEnd})`);
  return {
    items: [
      {
        symbol: ctx.symbol,
        periodEnd,
        epsActual: null,
        epsEstimate: earningsAverage ?? null,
        knownAt: announcedAt,
        knownRule: 'reported',
        source: ctx.source,
      },
    ],
    notes: [],
  };
}

function isWebLink(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/**
 * search's `news`: headlines with an id, a title, a publisher, an http(s) link and a publish time.
 * A story whose `relatedTickers` are given and do not name the symbol is about something else (the
 * search matches text): skipped, counted in a note.
 */
export function mapHeadlines(news: readonly unknown[], ctx: MapContext): Mapped<NewsHeadline> {
  const schema = z.object({
    uuid: text('id'),
    title: text('title'),
    publisher: text('publisher'),
    link: z.string({ error: 'missing link' }).refine(isWebLink, 'link is not an http(s) URL'),
    providerPublishTime: instant(ctx.fetchedAt),
    relatedTickers: z.array(z.string()).optional().catch(undefined),
  });
  const checked = eachItem(news, schema, 'headline', (h) => h);
  const once = onePerKey(checked.items, (h) => h.uuid, 'headline');
  const about = once.items.filter((h) => h.relatedTickers === undefined || h.relatedTickers.includes(ctx.symbol));
  const unrelated = once.items.length - about.length;
  return {
    items: about.map((h) => ({
      symbol: ctx.symbol,
      id: h.uuid,
      title: h.title,
      publisher: h.publisher,
      link: h.link,
      publishedAt: h.providerPublishTime.getTime(),
      source: ctx.source,
    })),
    notes: [...checked.notes, ...once.notes, ...(unrelated > 0 ? [`${unrelated} headline(s) about other symbols skipped`] : [])],
  };
}

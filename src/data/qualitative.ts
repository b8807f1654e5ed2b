/**
 * Qualitative data (sql/020_qualitative.sql): analysts' actions, monthly recommendation counts,
 * earnings announcements with their surprise, and news headlines, each with the instant it could be
 * known. Stored as fetched, never updated; read point in time with the as-of rule of fundamentals.ts.
 */

/** 'up' upgrade, 'down' downgrade, 'init' initiated coverage, 'main' maintained, 'reit' reiterated. */
export const ANALYST_ACTIONS = ['up', 'down', 'init', 'main', 'reit'] as const;
export type AnalystActionKind = (typeof ANALYST_ACTIONS)[number];

export interface AnalystAction {
  readonly symbol: string;
  /** Epoch ms of the action. */
  readonly actedAt: number;
  readonly firm: string;
  readonly action: AnalystActionKind;
  readonly fromGrade: string | null;
  readonly toGrade: string | null;
  readonly source: string;
}

export interface RecommendationTrend {
  readonly symbol: string;
  /** YYYY-MM-01 of the month the counts describe. */
  readonly month: string;
  readonly strongBuy: number;
  readonly buy: number;
  readonly hold: number;
  readonly sell: number;
  readonly strongSell: number;
  /** Epoch ms: the fetch that saw these counts (Yahoo gives no earlier date). */
  readonly knownAt: number;
  readonly source: string;
}

export interface EarningsEvent {
  readonly symbol: string;
  /** YYYY-MM-DD: the quarter's end. */
  readonly periodEnd: string;
  /** Reported EPS; null for an announcement still to come. */
  readonly epsActual: number | null;
  /** The analysts' consensus before the announcement, when known. */
  readonly epsEstimate: number | null;
  /** Epoch ms: the announcement ('reported') or the period end plus the quarterly lag ('lag'). */
  readonly knownAt: number;
  readonly knownRule: 'reported' | 'lag';
  readonly source: string;
}

export interface NewsHeadline {
  readonly symbol: string;
  /** The source's id of the story (Yahoo's uuid). */
  readonly id: string;
  readonly title: string;
  readonly publisher: string;
  /** http(s) only: anything else is refused before storing. */
  readonly link: string;
  /** Epoch ms. */
  readonly publishedAt: number;
  readonly source: string;
}

/**
 * The earnings surprise of an announcement, (actual - estimate) / |estimate|, or NaN when either is
 * missing or the estimate is 0.
 * @example surprise({ epsActual: 1.1, epsEstimate: 1.0 }) // 0.1
 */
export function surprise(event: Pick<EarningsEvent, 'epsActual' | 'epsEstimate'>): number {
  const { epsActual, epsEstimate } = event;
  if (epsActual === null || epsEstimate === null || epsEstimate === 0) return Number.NaN;
  return (epsActual - epsEstimate) / Math.abs(epsEstimate);
}

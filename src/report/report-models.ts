/**
 * What the report templates show, as plain data the caller fills from stored rows (portfolios,
 * rebalances, holdings, orders, gate results, simulations, alerts, job runs). Conventions:
 * - weights, returns and drawdowns are fractions (0.125 = 12.5%); drawdowns are <= 0 (-0.12 = 12% below the peak);
 * - dates are ISO `YYYY-MM-DD` strings; instants are ISO strings or Dates;
 * - money is in the currency given next to it; shares are counts (whole shares in practice);
 * - a figure that is not known is null (shown as "–").
 */
import type { BookPosition } from '../portfolio/rebalance-book.js';

/** A dated series for the charts: `values[i]` belongs to `dates[i]`. */
export interface PerformanceSeries {
  readonly dates: readonly string[];
  /** Portfolio value (or growth of 1) per date. */
  readonly equity: ArrayLike<number>;
  /** Drawdown from the running peak per date (<= 0); computed from `equity` when left out. */
  readonly drawdown?: ArrayLike<number> | null;
  /** What the series is, e.g. "Backtest #12 and out-of-sample simulation #3" (the chart's caption). */
  readonly label?: string | null;
  /** The first date the strategy had not seen (an out-of-sample continuation): the chart marks in and out of sample. */
  readonly outOfSampleFrom?: string | null;
}

/** The reader's own money since they started, beside the same money in a benchmark. */
export interface SinceStartSeries {
  readonly dates: readonly string[];
  readonly value: readonly number[];
  /** Money put in up to each date. */
  readonly invested: readonly number[];
  readonly benchmark: { readonly symbol: string; readonly value: readonly (number | null)[] } | null;
  /** Why the benchmark is missing, when it is. */
  readonly note?: string | null;
}

export interface PortfolioInfo {
  readonly name: string;
  /** The strategy's name as users know it, e.g. "xs-momentum". */
  readonly strategy: string;
  readonly universe?: string | null;
  readonly mode: 'lumpsum' | 'sip';
  /** The model amount and its currency (used when the report has no subscriber). */
  readonly amount: number;
  readonly currency: string;
}

export interface SubscriberInfo {
  readonly name: string;
  /** The subscriber's own amount: the rows' shares and values are for this amount. */
  readonly amount: number;
  readonly currency: string;
}

/**
 * One holding, before and after the rebalance: a book position (portfolio/rebalance-book.ts) with
 * its description and the strategy's reason. A position sold out has weight 0. The difference:
 * what a report can do without is optional, so a report can be written by hand (the sample, tests).
 */
export interface HoldingRow extends Pick<BookPosition, 'symbol' | 'previousWeight' | 'weight' | 'shares' | 'value'> {
  readonly name?: string | null;
  readonly assetClass?: string | null;
  /** Shares held just before the trades (after splits since the last rebalance); null: not known. */
  readonly sharesBefore?: number | null;
  readonly price?: number | null;
  /** Why the strategy chose (or dropped) it, in a sentence. */
  readonly reason: string;
  /** The strategy's signal value behind the choice (e.g. 12-month momentum), null when it has none. */
  readonly signal?: number | null;
  /** For a new holding: its latest news headlines up to the rebalance (at most three are shown). */
  readonly headlines?: readonly Headline[];
}

/** A news headline as a report shows it: linked, with its publisher and time. */
export interface Headline {
  readonly title: string;
  readonly publisher: string;
  /** http(s) only: a report drops any other link. */
  readonly link: string;
  /** ISO instant. */
  readonly publishedAt: string;
}

export interface TradeRow {
  readonly side: 'buy' | 'sell';
  readonly symbol: string;
  readonly shares: number;
  readonly value: number;
  readonly price?: number | null;
}

export interface HoldingPeriod {
  /** The strategy's next rebalance date (tentative); null when it has no calendar. */
  readonly nextRebalance: string | null;
  /** The rule that would end a position early, in words (e.g. "a close below its 200-day average"). */
  readonly exitRule: string;
}

/** The headline figures of a backtest or a simulation. */
export interface KeyMetrics {
  /** e.g. "2015-01-02 .. 2022-12-30". */
  readonly period: string;
  readonly totalReturn: number | null;
  readonly cagr: number | null;
  readonly volatility: number | null;
  readonly sharpe: number | null;
  /** Deepest drawdown, <= 0. */
  readonly maxDrawdown: number | null;
  readonly trades: number | null;
}

export interface ReportGateEvidence {
  /** The gate set's name, e.g. "default". */
  readonly name: string;
  readonly passed: boolean;
  /** A sentence per failed threshold (empty when passed). */
  readonly failedReasons: readonly string[];
  /** Deflated Sharpe ratio and probability of backtest overfitting, when computed. */
  readonly dsr?: number | null;
  readonly pbo?: number | null;
  /** N, the trials of the research family behind the DSR and PBO ("N trials in this family"). */
  readonly trials?: number | null;
}

export interface ReportEvidence {
  readonly backtest: { readonly id: number; readonly metrics: KeyMetrics } | null;
  readonly simulation: {
    readonly id: number;
    readonly metrics: KeyMetrics;
    /** Out-of-sample Sharpe / in-sample Sharpe (1: no degradation). */
    readonly sharpeRatio?: number | null;
  } | null;
  readonly gate: ReportGateEvidence | null;
}

export interface RebalanceReport {
  readonly portfolio: PortfolioInfo;
  /** The rebalance date, and the date of the latest bar behind it and its age on the as-of date. */
  readonly asOf: string;
  readonly dataAsOf: string;
  readonly dataAgeDays: number;
  /** The reader; null or left out for the model portfolio's own report (the model amount is used). */
  readonly subscriber?: SubscriberInfo | null;
  /** Holdings after the rebalance plus positions sold out by it. */
  readonly rows: readonly HoldingRow[];
  /** Orders to place, in this order (sells first). */
  readonly trades: readonly TradeRow[];
  /** Leftover cash after the trades, and estimated trading costs. */
  readonly cash: number;
  readonly costs?: number | null;
  readonly holdingPeriod: HoldingPeriod;
  readonly evidence: ReportEvidence;
  /** The portfolio was generated with the research gates ignored, or its strategy failed them. */
  readonly gatesIgnored: boolean;
  readonly gatesFailed: boolean;
  /** The warning to show when either flag is set; a plain default is used when left out. */
  readonly gateWarning?: string | null;
  /** Other warnings stored with the rebalance (stale data, overlapping simulation periods, ...). */
  readonly notes?: readonly string[];
  /** Equity and drawdown for the chart (e.g. the backtest and its out-of-sample continuation). */
  readonly performance: PerformanceSeries | null;
  /** The reader's portfolio since they started against the benchmark (subscribers' reports). */
  readonly sinceStart?: SinceStartSeries | null;
  /** http(s) link that unsubscribes this reader; null for the model's own report. */
  readonly unsubscribeUrl?: string | null;
}

export interface PositionDrawdown {
  readonly symbol: string;
  readonly name?: string | null;
  /** Current weight in the portfolio, when known. */
  readonly weight?: number | null;
  /** Drawdown of the position from its peak since it was bought (<= 0), and that peak's date. */
  readonly drawdown: number;
  readonly peakDate?: string | null;
  /** The strategy's exit rule fires for this position. */
  readonly exitTriggered: boolean;
  /** What the exit rule says about it, e.g. "closed 4% below its 200-day average". */
  readonly note?: string | null;
}

export interface DrawdownAlert {
  readonly alertId?: number | null;
  readonly portfolio: { readonly name: string; readonly strategy: string; readonly currency: string };
  readonly subscriber?: { readonly name: string } | null;
  /** The monitor run's day: what "now" means below. */
  readonly asOf: string;
  /** Set when one position crossed the threshold (its own drawdown below); null or left out for the whole portfolio. */
  readonly position?: string | null;
  /** The bar date the threshold was crossed: the drawdown, peak and peak value below are as of that day. */
  readonly observedAt: string;
  /** The threshold crossed (<= 0, e.g. -0.10) and the drawdown on the day it was crossed (<= threshold). */
  readonly threshold: number;
  readonly drawdown: number;
  /** The peak the drawdown is measured from: since when. */
  readonly peakDate: string;
  /** The same drawdown now (the portfolio's, or the position's while held), and the day it came back to half the threshold, if it did. */
  readonly now: { readonly drawdown: number; readonly peakDate: string; readonly recoveredAt: string | null };
  readonly peakValue?: number | null;
  readonly value?: number | null;
  readonly positions: readonly PositionDrawdown[];
  /** What the strategy's exit rules say, in words. */
  readonly exitRules: string;
  readonly dataAsOf: string;
  readonly dataAgeDays: number;
  readonly performance?: PerformanceSeries | null;
  readonly unsubscribeUrl?: string | null;
}

/** A message a mail server refused for its size (the operator's notice). */
export interface MailRefusal {
  /** Its outbox idempotency key. */
  readonly key: string;
  readonly kind: string;
  readonly recipient: string;
  readonly subject: string;
  readonly messageBytes: number;
  /** The server's limit, when it stated one. */
  readonly limitBytes: number | null;
  /** The server's answer. */
  readonly reply: string;
}

export interface JobFailure {
  readonly job: string;
  readonly runId?: number | null;
  /** The scheduled slot (null for a run started by hand). */
  readonly scheduledFor: string | Date | null;
  readonly startedAt: string | Date;
  readonly endedAt: string | Date | null;
  readonly error: string;
  /** What the run got done before it failed, e.g. { symbols: 40, failed: 3 }. */
  readonly counts?: Readonly<Record<string, number>> | null;
  readonly host?: string | null;
}

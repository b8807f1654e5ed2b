/**
 * From stored results to queued mail: a model portfolio's rebalance report to each subscriber
 * (whole shares for their own amount), drawdown alerts of a monitor run, and the operator's
 * job-failure notice. Rendering is report/render-*.ts, delivery the outbox (at most once per key);
 * the interactive Plotly pages are written under MOMENTUM_HOME/reports (report-pages.ts), each
 * subscriber's linked from their mail.
 */
import { getBacktestSeries } from '../backtest/sweep-curves.js';
import { formatBarTime, MS_PER_DAY, dateToTs } from '../data/bar.js';
import type { Database } from '../db/database.js';
import { DataError } from '../errors.js';
import { latestHeadlines } from '../data/qualitative-store.js';
import type { Environment } from '../config.js';
import type { MonitorAlert } from '../monitor/monitor-store.js';
import type { PortfolioMonitorState } from '../monitor/portfolio-state.js';
import { DEFAULT_BENCHMARK } from '../config.js';
import { followerPath } from '../monitor/follower-path.js';
import { followerStepsTo } from '../portfolio/follower-book.js';
import { ledgerOf } from '../portfolio/ledger-store.js';
import { getPortfolio, rebalances, type StoredPortfolio, type StoredRebalance } from '../portfolio/portfolio-store.js';
import { bookPositions, followerBookAt, modelBook, type RebalanceBook } from '../portfolio/rebalance-book.js';
import { getStrategy } from '../strategies/registry.js';
import type { MailContent } from '../mail/mail-content.js';
import { mailFrom } from '../mail/mailer.js';
import type { RefusedMail } from '../mail/outbox-delivery.js';
import { alertMailKey, enqueueMail, jobFailureMailKey, mailRefusedKey, rebalanceMailKey, type EnqueuedMail } from '../mail/outbox-store.js';
import { renderDrawdownAlert } from './render-alert.js';
import { renderJobFailure } from './render-job-failure.js';
import { renderMailRefused } from './render-mail-refused.js';
import { MAX_HEADLINES, renderRebalanceReport } from './render-rebalance.js';
import { servedPlotlySrc, subscriberPage, writeReportPage, type PagesEnv } from './report-pages.js';
import { fromPortfolioEvidence } from './report-evidence.js';
import type {
  Headline,
  DrawdownAlert,
  HoldingRow,
  JobFailure,
  PerformanceSeries,
  RebalanceReport,
  SinceStartSeries,
  TradeRow,
} from './report-models.js';
import { enqueueSubscriberMail } from '../mail/subscriber-mail.js';
import { activeSubscribers, unsubscribeLink, type Subscriber } from '../mail/subscriber-store.js';

type MailEnv = Pick<Environment, 'home' | 'publicUrl' | 'mailFrom'> & PagesEnv;

/** The reader of a report: a subscriber, or nobody for the model portfolio's own report. */
export interface ReportReader {
  readonly name: string;
  readonly amount: number;
  readonly currency: string;
  readonly unsubscribeUrl: string;
}

/**
 * The report of one rebalance from a book (portfolio/rebalance-book.ts): the model's, or a
 * subscriber's own whole-share book for their amount, so the rows, trades, cash and charts are
 * theirs and the trades take the shares before to the shares after exactly.
 */
export function rebalanceReport(
  portfolio: StoredPortfolio,
  rebalance: StoredRebalance,
  book: RebalanceBook,
  performance: PerformanceSeries | null,
  extras: {
    readonly reader?: ReportReader | undefined;
    readonly sinceStart?: SinceStartSeries | null | undefined;
    /** Latest headlines of the holdings new in this rebalance, by symbol. */
    readonly headlines?: ReadonlyMap<string, readonly Headline[]> | undefined;
  } = {},
): RebalanceReport {
  const { reader, sinceStart, headlines } = extras;
  const { positions, totalAfter } = bookPositions(
    book,
    rebalance.holdings.map((h) => h.symbol),
  );
  const model = new Map(rebalance.holdings.map((h) => [h.symbol, h]));
  const rows: HoldingRow[] = positions.map(({ price, ...position }) => {
    const h = model.get(position.symbol);
    return h
      ? { ...position, price: price ?? h.price, reason: h.reason, signal: h.score, headlines: headlines?.get(position.symbol) ?? [] }
      : { ...position, price, reason: 'sold: the strategy no longer holds it' };
  });
  const trades: TradeRow[] = book.orders.map((o) => ({ side: o.side, symbol: o.symbol, shares: o.shares, price: o.price, value: o.value }));
  const actions = book.corporateActions.map((e) => `${e.symbol} ${e.exDate}: ${e.note}`);
  return {
    portfolio: {
      name: portfolio.name,
      strategy: portfolio.request.strategy ?? '',
      universe: portfolio.request.universe,
      mode: portfolio.request.mode,
      amount: totalAfter,
      currency: portfolio.request.currency,
    },
    asOf: rebalance.asOf,
    dataAsOf: rebalance.dataAsOf,
    dataAgeDays: Math.max(0, Math.round((dateToTs(rebalance.asOf) - dateToTs(rebalance.dataAsOf)) / MS_PER_DAY)),
    subscriber: reader ? { name: reader.name, amount: totalAfter, currency: reader.currency } : null,
    rows,
    trades,
    cash: book.cashAfter,
    costs: book.costs,
    holdingPeriod: { nextRebalance: rebalance.nextRebalance, exitRule: getStrategy(portfolio.request.strategy!).exitRule },
    ...fromPortfolioEvidence(rebalance.evidence),
    notes: [...actions, ...rebalance.warnings.filter((w) => w !== rebalance.evidence.note), ...(sinceStart?.note ? [sinceStart.note] : [])],
    performance,
    sinceStart: sinceStart ?? null,
    unsubscribeUrl: reader?.unsubscribeUrl ?? null,
  };
}

/** The backtest's equity and its out-of-sample continuation (rebased to join), for the chart. */
export async function evidenceSeries(db: Database, rebalance: StoredRebalance): Promise<PerformanceSeries | null> {
  const { backtest, simulation } = rebalance.evidence;
  if (!backtest) return null;
  const inSample = await getBacktestSeries(db, backtest.id);
  const dates = Array.from(inSample.dates, (d) => formatBarTime(d, '1d'));
  const equity = Array.from(inSample.equity);
  const inSampleEnd = dates[dates.length - 1]!;
  let label = `Backtest #${backtest.id} (in sample)`;
  if (simulation) {
    const outOfSample = await getBacktestSeries(db, simulation.oosBacktestId);
    const join = equity[equity.length - 1]! / outOfSample.equity[0]!;
    outOfSample.dates.forEach((d, i) => {
      const date = formatBarTime(d, '1d');
      if (date > dates[dates.length - 1]!) {
        dates.push(date);
        equity.push(outOfSample.equity[i]! * join);
      }
    });
    label = `${label} and its out-of-sample simulation #${simulation.id} from ${simulation.period.split(' ')[0]}`;
    const outOfSampleFrom = dates.find((d) => d > inSampleEnd) ?? null;
    return { dates, equity, label, outOfSampleFrom };
  }
  return { dates, equity, label, outOfSampleFrom: null };
}

export interface PublishedRebalance {
  readonly portfolio: string;
  readonly asOf: string;
  /** The interactive Plotly report written for the model portfolio (self-contained: opens as a file). */
  readonly reportPath: string;
  /** The model portfolio's own report (no subscriber), for previews. */
  readonly model: MailContent;
  readonly queued: readonly EnqueuedMail[];
}

/**
 * Renders a portfolio's latest (or given) rebalance, writes the interactive report, and queues one
 * mail per active subscriber, each computed for their own book (idempotent: a second call queues
 * nothing new). `benchmark` is the symbol subscribers' since-start chart compares with.
 * @example await publishRebalance(db, env, 'etf-momentum', { benchmark: 'SPY' })
 */
export async function publishRebalance(
  db: Database,
  env: MailEnv,
  name: string,
  options: { readonly asOf?: string; readonly benchmark?: string } = {},
): Promise<PublishedRebalance> {
  const portfolio = await getPortfolio(db, name);
  const history = await rebalances(db, portfolio.id, 10_000);
  const at = options.asOf === undefined ? 0 : history.findIndex((r) => r.asOf === options.asOf);
  if (at < 0) throw new DataError(`${name} has no rebalance as of ${options.asOf}; see momentum portfolio history '${name}'`);
  const rebalance = history[at]!;
  const previous = history[at + 1] ?? null;
  const performance = await evidenceSeries(db, rebalance);
  const ledger = previous ? await ledgerOf(db.kysely, portfolio.id, [previous.id]) : [];
  const book = modelBook(rebalance, ledger);
  const headlines = await newHoldingHeadlines(db, rebalance, previous);
  const model = renderRebalanceReport(rebalanceReport(portfolio, rebalance, book, performance, { headlines }));
  const reportPath = writeReportPage(env, model.interactive.filename, model.interactive.html);
  const oldestFirst = [...history].reverse();
  const queued: EnqueuedMail[] = [];
  for (const subscriber of await activeSubscribers(db, portfolio.id)) {
    const steps = await followerStepsTo(db, portfolio, oldestFirst, subscriber, rebalance);
    if (!steps) continue; // they joined after this rebalance: the next one is theirs
    const sinceStart = await followerPath(db, portfolio, steps, options.benchmark ?? DEFAULT_BENCHMARK, rebalance.asOf);
    const reader = {
      name: subscriber.name ?? subscriber.email,
      amount: subscriber.amount,
      currency: subscriber.currency,
      unsubscribeUrl: unsubscribeLink(env, subscriber.unsubscribeToken),
    };
    const report = rebalanceReport(portfolio, rebalance, followerBookAt(steps[steps.length - 1]!), performance, {
      reader,
      sinceStart,
      headlines,
    });
    const page = subscriberPage(env, portfolio.name, rebalance.asOf, subscriber.id);
    const { mail, interactive } = renderRebalanceReport(report, { interactiveLink: page, plotlySrc: servedPlotlySrc() });
    writeReportPage(env, page.file, interactive.html);
    const entry = await enqueueSubscriberMail(db, env, {
      idempotencyKey: rebalanceMailKey(portfolio.id, rebalance.asOf, subscriber.id),
      kind: 'rebalance',
      subscriber,
      content: mail,
    });
    if (entry) queued.push(entry);
  }
  return { portfolio: portfolio.name, asOf: rebalance.asOf, reportPath, model: model.mail, queued };
}

/**
 * The latest stored headlines (sql/020_qualitative.sql) of each holding new in `rebalance` (not held
 * by `previous`), published by the end of its day (UTC), at most MAX_HEADLINES each.
 */
async function newHoldingHeadlines(
  db: Database,
  rebalance: StoredRebalance,
  previous: StoredRebalance | null,
): Promise<Map<string, Headline[]>> {
  const before = new Set(previous?.holdings.filter((h) => h.targetWeight > 0).map((h) => h.symbol) ?? []);
  const endOfDay = dateToTs(rebalance.asOf) + MS_PER_DAY - 1;
  const out = new Map<string, Headline[]>();
  for (const { symbol } of rebalance.holdings.filter((h) => h.targetWeight > 0 && !before.has(h.symbol))) {
    const found = await latestHeadlines(db, symbol, MAX_HEADLINES, endOfDay);
    if (found.length > 0)
      out.set(
        symbol,
        found.map((h) => ({ title: h.title, publisher: h.publisher, link: h.link, publishedAt: new Date(h.publishedAt).toISOString() })),
      );
  }
  return out;
}

/** Days after its observation an alert may still be mailed (the monitor job's `alertFreshnessDays`). */
export const DEFAULT_ALERT_FRESHNESS_DAYS = 3;

export type NotMailedReason = 'stale' | 'position-closed' | 'no-state';

export interface PublishedAlerts {
  readonly queued: readonly EnqueuedMail[];
  /** Alerts stored but mailed to nobody, and why: observed more than the freshness window before the run, or on a position sold since. */
  readonly notMailed: readonly { readonly alert: MonitorAlert; readonly reason: NotMailedReason }[];
  /** Subscribers an alert skipped because they joined after it was observed. */
  readonly notForSubscriber: number;
}

/**
 * Queues each new alert of a monitor run to the portfolio's subscribers, when it is still true to
 * read: observed within `freshnessDays` of the run's day, about a position still held (an alert
 * on a position sold since is not sent), and only to subscribers who had joined by the day it was
 * observed. The mail says when it was observed and where the drawdown stands now.
 * @example const run = await monitorPortfolios(db); await publishAlerts(db, env, run.newAlerts, run.portfolios)
 */
export async function publishAlerts(
  db: Database,
  env: MailEnv,
  alerts: readonly MonitorAlert[],
  states: readonly PortfolioMonitorState[],
  options: { readonly freshnessDays?: number } = {},
): Promise<PublishedAlerts> {
  const freshness = options.freshnessDays ?? DEFAULT_ALERT_FRESHNESS_DAYS;
  const queued: EnqueuedMail[] = [];
  const notMailed: { alert: MonitorAlert; reason: NotMailedReason }[] = [];
  let notForSubscriber = 0;
  const subscribersOf = new Map<number, Subscriber[]>();
  for (const alert of alerts) {
    const state = states.find((s) => s.portfolioId === alert.portfolioId);
    const reason = !state
      ? 'no-state'
      : alertAgeDays(alert, state) > freshness
        ? 'stale'
        : positionClosed(alert, state)
          ? 'position-closed'
          : null;
    if (reason !== null || !state) {
      notMailed.push({ alert, reason: reason ?? 'no-state' });
      continue;
    }
    if (!subscribersOf.has(alert.portfolioId)) subscribersOf.set(alert.portfolioId, await activeSubscribers(db, alert.portfolioId));
    for (const subscriber of subscribersOf.get(alert.portfolioId)!) {
      if (subscriber.since > alert.observedAt.slice(0, 10)) {
        notForSubscriber++;
        continue;
      }
      const content = renderDrawdownAlert({
        ...alertView(alert, state),
        subscriber: { name: subscriber.name ?? subscriber.email },
        unsubscribeUrl: unsubscribeLink(env, subscriber.unsubscribeToken),
      });
      const entry = await enqueueSubscriberMail(db, env, {
        idempotencyKey: alertMailKey(alert.id, subscriber.id),
        kind: 'alert',
        subscriber,
        content,
      });
      if (entry) queued.push(entry);
    }
  }
  return { queued, notMailed, notForSubscriber };
}

/** What was stored but not mailed, in a line per reason (for job notes and the demo). */
export function notMailedNotes(published: PublishedAlerts, freshnessDays: number): string[] {
  const count = (reason: NotMailedReason) => published.notMailed.filter((n) => n.reason === reason).length;
  return [
    count('stale') > 0 ? `${count('stale')} alert(s) observed more than ${freshnessDays} day(s) before the run: stored, not mailed` : '',
    count('position-closed') > 0 ? `${count('position-closed')} alert(s) on a position sold since: stored, not mailed` : '',
    published.notForSubscriber > 0 ? `${published.notForSubscriber} alert mail(s) not sent to subscribers who joined after the alert` : '',
  ].filter((line) => line !== '');
}

/** Calendar days from the alert's bar to the run's day. */
function alertAgeDays(alert: MonitorAlert, state: PortfolioMonitorState): number {
  return (dateToTs(state.asOf) - dateToTs(alert.observedAt.slice(0, 10))) / MS_PER_DAY;
}

/** A position alert whose position the portfolio no longer holds (sold at a rebalance since). */
function positionClosed(alert: MonitorAlert, state: PortfolioMonitorState): boolean {
  return alert.scope === 'position' && (alert.resolution === 'position-closed' || !state.positions.some((p) => p.symbol === alert.symbol));
}

/** The alert mail's data from a stored alert and the portfolio's monitor state now. */
export function alertView(alert: MonitorAlert, state: PortfolioMonitorState): DrawdownAlert {
  const exits = new Map<string, string[]>();
  for (const signal of state.exitSignals) exits.set(signal.symbol, [...(exits.get(signal.symbol) ?? []), signal.message]);
  const position = alert.scope === 'position' ? state.positions.find((p) => p.symbol === alert.symbol) : undefined;
  return {
    alertId: alert.id,
    portfolio: { name: state.portfolio, strategy: state.strategy, currency: state.currency },
    position: alert.scope === 'position' ? alert.symbol : null,
    asOf: state.asOf,
    observedAt: alert.observedAt,
    threshold: alert.threshold,
    drawdown: alert.drawdown,
    peakDate: alert.peakDate,
    peakValue: alert.scope === 'portfolio' ? alert.peakValue : null,
    now: position
      ? { drawdown: position.drawdown, peakDate: position.peakDate, recoveredAt: alert.recoveredAt }
      : { drawdown: state.drawdown, peakDate: state.peakDate, recoveredAt: alert.recoveredAt },
    value: state.value,
    positions: state.positions.map((p) => ({
      symbol: p.symbol,
      weight: p.weight,
      drawdown: p.drawdown,
      peakDate: p.peakDate,
      exitTriggered: exits.has(p.symbol),
      note: exits.get(p.symbol)?.join('; ') ?? null,
    })),
    exitRules: state.exitRule ?? 'the strategy has no exit rule between rebalances',
    dataAsOf: state.lastBarDate ?? state.asOf,
    dataAgeDays: state.data.ageDays ?? 0,
    performance: {
      dates: state.series.dates,
      equity: state.series.value,
      drawdown: state.series.drawdown,
      label: `${state.portfolio} since its first rebalance`,
    },
  };
}

/**
 * Queues the operator's notice of a message refused for its size (MOMENTUM_OPERATOR_EMAIL, else
 * MAIL_FROM), once per message; never about such a notice itself, which could be refused in turn.
 * @example await publishMailRefused(db, env, refused) // from deliverOutbox's onSizeRefusal
 */
export async function publishMailRefused(
  db: Database,
  env: Pick<Environment, 'operatorEmail' | 'mailFrom'>,
  refused: RefusedMail,
): Promise<EnqueuedMail | undefined> {
  if (refused.kind === 'mail-refused') return undefined;
  return enqueueMail(db, {
    idempotencyKey: mailRefusedKey(refused.id),
    kind: 'mail-refused',
    to: env.operatorEmail ?? mailFrom(env),
    from: mailFrom(env),
    content: renderMailRefused({ ...refused, key: refused.idempotencyKey }),
  });
}

/**
 * Queues the operator's notice of a failed job run (MOMENTUM_OPERATOR_EMAIL, else MAIL_FROM).
 * @example await publishJobFailure(db, env, { job: 'ingest', runId: 7, ... })
 */
export async function publishJobFailure(
  db: Database,
  env: MailEnv & Pick<Environment, 'operatorEmail'>,
  failure: JobFailure & { readonly runId: number; readonly attempt?: number },
): Promise<EnqueuedMail> {
  return enqueueMail(db, {
    idempotencyKey: jobFailureMailKey(failure.runId, failure.attempt),
    kind: 'job-failure',
    to: env.operatorEmail ?? mailFrom(env),
    from: mailFrom(env),
    content: renderJobFailure(failure),
  });
}

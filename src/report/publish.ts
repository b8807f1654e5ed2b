/**
 * From stored results to queued mail: a model portfolio's rebalance report to each subscriber
 * (whole shares for their own amount), drawdown alerts of a monitor run, and the operator's
 * job-failure notice. Rendering is report/render-*.ts, delivery the outbox (at most once per key);
 * the interactive Plotly report is written under MOMENTUM_HOME/reports.
 */
import { join } from 'node:path';
import { getBacktestSeries } from '../backtest/backtest-store.js';
import { formatBarTime, MS_PER_DAY, dateToTs } from '../data/bar.js';
import type { Database } from '../db/database.js';
import type { Environment } from '../config.js';
import type { MonitorAlert } from '../monitor/monitor-store.js';
import type { PortfolioMonitorState } from '../monitor/portfolio-state.js';
import { getPortfolio, rebalances, type StoredPortfolio, type StoredRebalance } from '../portfolio/portfolio-store.js';
import { allocateWholeShares } from '../portfolio/whole-shares.js';
import { getStrategy } from '../strategies/registry.js';
import type { MailContent } from './mail-content.js';
import { mailFrom } from './mailer.js';
import { alertMailKey, enqueueMail, jobFailureMailKey, rebalanceMailKey, type EnqueuedMail } from './outbox.js';
import { renderDrawdownAlert } from './render-alert.js';
import { renderJobFailure } from './render-job-failure.js';
import { renderRebalanceReport } from './render-rebalance.js';
import { fromPortfolioEvidence } from './report-evidence.js';
import type { DrawdownAlert, HoldingRow, JobFailure, PerformanceSeries, RebalanceReport, TradeRow } from './report-models.js';
import { enqueueSubscriberMail } from './subscriber-mail.js';
import { activeSubscribers, unsubscribeLink, type Subscriber } from './subscribers.js';
import { makePrivateDir, writePrivateFile } from '../util/private-files.js';

type MailEnv = Pick<Environment, 'home' | 'publicUrl' | 'mailFrom'>;

/**
 * The report of one rebalance, for a subscriber's amount (whole shares bought for it) or, without
 * one, for the model amount; `performance` is the evidence's equity (evidenceSeries), read once for all readers.
 */
export function rebalanceReport(
  portfolio: StoredPortfolio,
  rebalance: StoredRebalance,
  previous: StoredRebalance | null,
  performance: PerformanceSeries | null,
  subscriber?: { readonly name: string; readonly amount: number; readonly currency: string; readonly unsubscribeUrl: string },
): RebalanceReport {
  const price = new Map<string, number>();
  for (const o of rebalance.orders) price.set(o.symbol, o.price);
  for (const h of rebalance.holdings) price.set(h.symbol, h.price);
  // The weights just before trading: the previous shares at today's prices, plus cash and new money.
  const before = previous?.holdings.map((h) => ({ symbol: h.symbol, value: h.shares * (price.get(h.symbol) ?? h.price) })) ?? [];
  const valueBefore = before.reduce((sum, h) => sum + h.value, (previous?.cash ?? 0) + rebalance.contribution);
  const previousWeight = new Map(before.map((h) => [h.symbol, valueBefore > 0 ? h.value / valueBefore : 0]));
  const amount = subscriber?.amount ?? rebalance.value;
  const scale = amount / rebalance.value;
  const own = subscriber
    ? allocateWholeShares({
        budget: amount,
        targets: rebalance.holdings
          .filter((h) => h.targetWeight > 0)
          .map((h) => ({ symbol: h.symbol, weight: h.targetWeight, price: h.price, lotSize: portfolio.request.lotSize })),
        costs: portfolio.request.costs,
      })
    : null;
  const ownShares = new Map(own?.lines.map((l) => [l.symbol, l.shares]) ?? []);
  const rows: HoldingRow[] = rebalance.holdings.map((h) => {
    const shares = own ? (ownShares.get(h.symbol) ?? 0) : h.shares;
    return {
      symbol: h.symbol,
      previousWeight: previousWeight.get(h.symbol) ?? 0,
      weight: own ? (shares * h.price) / amount : h.weight,
      shares,
      value: shares * h.price,
      price: h.price,
      reason: h.reason,
      signal: h.score,
    };
  });
  for (const [symbol, weight] of previousWeight) {
    if (!rebalance.holdings.some((h) => h.symbol === symbol))
      rows.push({
        symbol,
        previousWeight: weight,
        weight: 0,
        shares: 0,
        value: 0,
        price: price.get(symbol) ?? null,
        reason: 'sold: the strategy no longer holds it',
      });
  }
  // A subscriber's trades: the model's orders scaled to their amount, in whole shares.
  const trades: TradeRow[] = rebalance.orders
    .map((o) => ({ side: o.side, symbol: o.symbol, shares: own ? Math.round(o.shares * scale) : o.shares, price: o.price, value: 0 }))
    .filter((t) => t.shares > 0)
    .map((t) => ({ ...t, value: t.shares * t.price }));
  return {
    portfolio: {
      name: portfolio.name,
      strategy: portfolio.request.strategy ?? '',
      universe: portfolio.request.universe,
      mode: portfolio.request.mode,
      amount: rebalance.value,
      currency: portfolio.request.currency,
    },
    asOf: rebalance.asOf,
    dataAsOf: rebalance.dataAsOf,
    dataAgeDays: Math.max(0, Math.round((dateToTs(rebalance.asOf) - dateToTs(rebalance.dataAsOf)) / MS_PER_DAY)),
    subscriber: subscriber ? { name: subscriber.name, amount: subscriber.amount, currency: subscriber.currency } : null,
    rows,
    trades,
    cash: own ? own.cash : rebalance.cash,
    costs: own ? own.costs : rebalance.costs,
    holdingPeriod: { nextRebalance: rebalance.nextRebalance, exitRule: getStrategy(portfolio.request.strategy!).exitRule },
    ...fromPortfolioEvidence(rebalance.evidence),
    notes: rebalance.warnings.filter((w) => w !== rebalance.evidence.note),
    performance,
    unsubscribeUrl: subscriber?.unsubscribeUrl ?? null,
  };
}

/** The backtest's equity and its out-of-sample continuation (rebased to join), for the chart. */
export async function evidenceSeries(db: Database, rebalance: StoredRebalance): Promise<PerformanceSeries | null> {
  const { backtest, simulation } = rebalance.evidence;
  if (!backtest) return null;
  const inSample = await getBacktestSeries(db, backtest.id);
  const dates = Array.from(inSample.dates, (d) => formatBarTime(d, '1d'));
  const equity = Array.from(inSample.equity);
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
  }
  return { dates, equity, label };
}

export interface PublishedRebalance {
  readonly portfolio: string;
  readonly asOf: string;
  /** The interactive Plotly report written for the model portfolio. */
  readonly reportPath: string;
  /** The model portfolio's own report (no subscriber), for previews. */
  readonly model: MailContent;
  readonly queued: readonly EnqueuedMail[];
}

/**
 * Renders a portfolio's latest (or given) rebalance, writes the interactive report, and queues one
 * mail per active subscriber (idempotent: a second call queues nothing new).
 * @example await publishRebalance(db, env, 'etf-momentum')
 */
export async function publishRebalance(
  db: Database,
  env: MailEnv,
  name: string,
  options: { readonly asOf?: string } = {},
): Promise<PublishedRebalance> {
  const portfolio = await getPortfolio(db, name);
  const history = await rebalances(db, portfolio.id, 10_000);
  const at = options.asOf === undefined ? 0 : history.findIndex((r) => r.asOf === options.asOf);
  if (at < 0) throw new Error(`${name} has no rebalance as of ${options.asOf}`);
  const rebalance = history[at]!;
  const previous = history[at + 1] ?? null;
  const performance = await evidenceSeries(db, rebalance);
  const model = renderRebalanceReport(rebalanceReport(portfolio, rebalance, previous, performance), { attachInteractive: false });
  const folder = join(env.home, 'reports');
  makePrivateDir(folder);
  const reportPath = join(folder, model.interactive.filename);
  writePrivateFile(reportPath, model.interactive.html);
  const queued: EnqueuedMail[] = [];
  for (const subscriber of await activeSubscribers(db, portfolio.id)) {
    const report = rebalanceReport(portfolio, rebalance, previous, performance, {
      name: subscriber.name ?? subscriber.email,
      amount: subscriber.amount,
      currency: subscriber.currency,
      unsubscribeUrl: unsubscribeLink(env, subscriber.unsubscribeToken),
    });
    const { mail } = renderRebalanceReport(report);
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

export interface PublishedAlerts {
  readonly queued: readonly EnqueuedMail[];
  /** Alerts stored but not mailed: observed more than `maxAgeDays` before the run (a first run replays history). */
  readonly notMailed: readonly MonitorAlert[];
}

/**
 * Queues each new alert of a monitor run to the portfolio's subscribers.
 * @example const run = await monitorPortfolios(db); await publishAlerts(db, env, run.newAlerts, run.portfolios)
 */
export async function publishAlerts(
  db: Database,
  env: MailEnv,
  alerts: readonly MonitorAlert[],
  states: readonly PortfolioMonitorState[],
  options: { readonly maxAgeDays?: number } = {},
): Promise<PublishedAlerts> {
  const maxAge = options.maxAgeDays ?? 7;
  const queued: EnqueuedMail[] = [];
  const notMailed: MonitorAlert[] = [];
  const subscribersOf = new Map<number, Subscriber[]>();
  for (const alert of alerts) {
    const state = states.find((s) => s.portfolioId === alert.portfolioId);
    if (!state || (dateToTs(state.asOf) - dateToTs(alert.observedAt)) / MS_PER_DAY > maxAge) {
      notMailed.push(alert);
      continue;
    }
    if (!subscribersOf.has(alert.portfolioId)) subscribersOf.set(alert.portfolioId, await activeSubscribers(db, alert.portfolioId));
    for (const subscriber of subscribersOf.get(alert.portfolioId)!) {
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
  return { queued, notMailed };
}

/** The alert mail's data from a stored alert and the portfolio's monitor state. */
export function alertView(alert: MonitorAlert, state: PortfolioMonitorState): DrawdownAlert {
  const exits = new Map<string, string[]>();
  for (const signal of state.exitSignals) exits.set(signal.symbol, [...(exits.get(signal.symbol) ?? []), signal.message]);
  return {
    alertId: alert.id,
    portfolio: { name: state.portfolio, strategy: state.strategy, currency: state.currency },
    position: alert.scope === 'position' ? alert.symbol : null,
    asOf: state.asOf,
    threshold: alert.threshold,
    drawdown: alert.drawdown,
    peakDate: alert.peakDate,
    peakValue: alert.scope === 'portfolio' ? alert.peakValue : null,
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
 * Queues the operator's notice of a failed job run (MOMENTUM_OPERATOR_EMAIL, else MAIL_FROM).
 * @example await publishJobFailure(db, env, { job: 'ingest', runId: 7, ... })
 */
export async function publishJobFailure(
  db: Database,
  env: MailEnv & Pick<Environment, 'operatorEmail'>,
  failure: JobFailure & { readonly runId: number },
): Promise<EnqueuedMail> {
  return enqueueMail(db, {
    idempotencyKey: jobFailureMailKey(failure.runId),
    kind: 'job-failure',
    to: env.operatorEmail ?? mailFrom(env),
    from: mailFrom(env),
    content: renderJobFailure(failure),
  });
}

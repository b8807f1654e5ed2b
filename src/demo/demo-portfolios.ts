/**
 * The demo's second half: from the best-evidenced backtest to model portfolios a year back (a
 * 100,000 lump sum and a 5,000 monthly SIP), rebalanced on the strategy's calendar up to the last
 * bar, a subscriber, post-trade monitoring, and the mail: the rebalance report and the latest
 * drawdown alert, delivered to the outbox (.eml files without SMTP_URL). Re-running it adds
 * nothing twice: portfolios, rebalances, alerts and mails are all once-only.
 */
import type { Environment } from '../config.js';
import { MS_PER_DAY, dateToTs } from '../data/bar.js';
import type { Database } from '../db/database.js';
import { monitorPortfolios, type MonitorResult } from '../monitor/monitor-portfolios.js';
import { createPortfolio, nextDue, rebalancePortfolio } from '../portfolio/model-portfolio.js';
import { firstRebalanceDay, getPortfolio, rebalances } from '../portfolio/portfolio-store.js';
import type { DeliveryReport } from '../mail/outbox-delivery.js';
import { sentMail } from '../mail/outbox-store.js';
import { deliverMail } from '../report/deliver-mail.js';
import { publishAlerts, publishRebalance, type PublishedAlerts, type PublishedRebalance } from '../report/publish.js';
import { addSubscriber, listSubscribers } from '../mail/subscriber-store.js';
import type { GateSet } from '../research/gate-set.js';

export interface DemoEvidence {
  readonly backtestId: number;
  readonly strategy: string;
  readonly passed: boolean;
  /** Out-of-sample Sharpe, the ranking key among backtests that passed. */
  readonly oosSharpe: number | null;
  readonly sharpe: number | null;
  /** The strategy rebalances at month-ends (with its default parameters). */
  readonly monthly: boolean;
}

export interface DemoPortfolio {
  readonly name: string;
  readonly created: string;
  readonly rebalances: number;
  readonly value: number;
  readonly ignoredGates: boolean;
}

export interface DemoPortfolioResult {
  readonly backtestId: number;
  readonly strategy: string;
  readonly portfolios: readonly DemoPortfolio[];
  readonly monitor: MonitorResult;
  readonly alerts: PublishedAlerts;
  readonly report: PublishedRebalance;
  readonly delivery: DeliveryReport;
  /** Where the mail went (.eml paths or SMTP replies) and its size in bytes, of this run and earlier ones. */
  readonly outbox: readonly { readonly kind: string; readonly subject: string; readonly destination: string; readonly bytes: number }[];
}

/** The demo's portfolio names: plain on the synthetic market, with the universe's name on another. */
export function demoPortfolioNames(universe: string): { readonly lumpSum: string; readonly sip: string } {
  const prefix = universe === 'synthetic' ? 'demo' : `demo-${universe}`;
  return { lumpSum: `${prefix}-lump-sum`, sip: `${prefix}-monthly-sip` };
}

/**
 * The backtest to follow: the best out-of-sample Sharpe among those that passed, else the best
 * in-sample Sharpe (gates ignored, said loudly); strategies that rebalance monthly first, so the
 * demo's year of catching up is a dozen rebalances rather than one a day.
 */
export function chooseEvidence(backtests: readonly DemoEvidence[]): DemoEvidence {
  const passed = backtests.filter((b) => b.passed);
  const pool = passed.length > 0 ? passed : backtests;
  const monthly = pool.filter((b) => b.monthly);
  const key = (b: DemoEvidence) => (passed.length > 0 ? (b.oosSharpe ?? -Infinity) : (b.sharpe ?? -Infinity));
  return [...(monthly.length > 0 ? monthly : pool)].sort((a, b) => key(b) - key(a))[0]!;
}

export async function runDemoPortfolios(
  db: Database,
  env: Environment,
  backtests: readonly DemoEvidence[],
  options: {
    readonly lastBar: string;
    readonly gates: { readonly name: string; readonly set: GateSet };
    readonly universe: string;
    /** What the subscriber's since-start chart compares with. */
    readonly benchmark: string;
  },
): Promise<DemoPortfolioResult> {
  const { lumpSum: DEMO_LUMP_SUM, sip: DEMO_SIP } = demoPortfolioNames(options.universe);
  const chosen = chooseEvidence(backtests);
  const ignoreGates = !chosen.passed;
  const start = new Date(dateToTs(options.lastBar) - 365 * MS_PER_DAY).toISOString().slice(0, 10);
  const base = { backtestId: chosen.backtestId, ignoreGates, asOf: start, allowStale: true, maxDataAgeDays: 5 };
  const plans = [
    { name: DEMO_LUMP_SUM, input: { ...base, amount: 100_000 } },
    { name: DEMO_SIP, input: { ...base, mode: 'sip' as const, amount: 5_000, sip: { installment: 5_000, every: 'month' as const } } },
  ];
  for (const plan of plans) {
    const exists = await getPortfolio(db, plan.name).then(
      () => true,
      () => false,
    );
    if (!exists) await createPortfolio(db, plan.name, plan.input, { gates: options.gates });
  }
  await catchUp(db, [DEMO_LUMP_SUM, DEMO_SIP], options.lastBar, options.gates);
  if ((await listSubscribers(db, { portfolio: DEMO_LUMP_SUM })).length === 0) {
    // A subscriber who has followed the portfolio since it started, with their own amount.
    await addSubscriber(db, {
      portfolio: DEMO_LUMP_SUM,
      email: 'subscriber@example.com',
      name: 'Demo Subscriber',
      amount: 25_000,
      since: start,
    });
  }
  const monitor = await monitorPortfolios(db, { asOf: options.lastBar, trailingStop: 0.15 });
  // The first monitor run replays the year: only alerts still true to read (observed within the
  // freshness window, on a position still held) are mailed; the rest are stored and listed.
  const alerts = await publishAlerts(db, env, monitor.newAlerts, monitor.portfolios);
  const report = await publishRebalance(db, env, DEMO_LUMP_SUM, { benchmark: options.benchmark });
  const delivery = await deliverMail(db, env);
  const outbox = await sentMail(db);
  const portfolios: DemoPortfolio[] = [];
  for (const plan of plans) {
    const portfolio = await getPortfolio(db, plan.name);
    const history = await rebalances(db, portfolio.id, 10_000);
    portfolios.push({
      name: plan.name,
      created: history[history.length - 1]!.asOf,
      rebalances: history.length,
      value: history[0]!.value,
      ignoredGates: history[0]!.evidence.gatesIgnored,
    });
  }
  return {
    backtestId: chosen.backtestId,
    strategy: chosen.strategy,
    portfolios,
    monitor,
    alerts,
    report,
    delivery,
    outbox: outbox.map((o) => ({ kind: o.kind, subject: o.subject, destination: o.destination ?? '', bytes: Number(o.bytes) })),
  };
}

/** Rebalances every demo portfolio on each day it fell due, oldest first, up to the last bar. */
async function catchUp(
  db: Database,
  names: readonly string[],
  lastBar: string,
  gates: { readonly name: string; readonly set: GateSet },
): Promise<void> {
  let previous = '';
  for (;;) {
    const due: { name: string; day: string }[] = [];
    for (const name of names) {
      const portfolio = await getPortfolio(db, name);
      const [latest] = await rebalances(db, portfolio.id, 1);
      const day = nextDue(portfolio.request, latest, (await firstRebalanceDay(db, portfolio.id))!);
      if (day !== null && day <= lastBar) due.push({ name, day });
    }
    if (due.length === 0) return;
    const day = due.map((d) => d.day).sort()[0]!;
    // Each rebalance moves its portfolio's next due day past it; anything else would loop forever.
    if (day <= previous) throw new Error(`demo: the rebalance of ${day} did not advance the calendar`);
    previous = day;
    for (const d of due.filter((d) => d.day === day)) await rebalancePortfolio(db, d.name, { asOf: day, gates, allowStale: true });
  }
}

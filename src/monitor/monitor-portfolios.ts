/**
 * The monitor run: for each model portfolio, its latest rebalance (chained over the earlier ones)
 * valued on the bars since, drawdowns, drift, exit checks and data age; new drawdown alerts and
 * the snapshot stored in one transaction per portfolio. Re-running an as-of date, or days that
 * overlap an earlier run, creates no alert twice (see sql/006_monitor.sql for the state kept).
 */
import { parseBacktestSpec } from '../backtest/backtest-spec.js';
import { loadBacktestData } from '../backtest/run-backtest.js';
import { loadActions } from '../data/corporate-actions-store.js';
import { carryForwardValues } from '../data/panel.js';
import type { Database } from '../db/database.js';
import { errorMessage } from '../errors.js';
import { recordLedger } from '../portfolio/ledger-store.js';
import { prepareStrategy } from '../strategies/registry.js';
import type { StrategyParams } from '../strategies/strategy.js';
import { parseCalendarDate } from '../util/calendar-date.js';
import { barTimeOf, planAlerts } from './alert-plan.js';
import { strategyViewNow, type StrategyView } from './exit-criteria.js';
import { monitorSettings, type MonitorSettings, type MonitorSettingsInput } from './monitor-options.js';
import {
  barDateOf,
  endAlerts,
  insertAlerts,
  loadPrices,
  loadRebalances,
  readAlertState,
  selectPortfolios,
  upsertSnapshot,
  type MonitorAlert,
  type PortfolioRow,
} from './monitor-store.js';
import { lastBarTimes } from '../data/price-store.js';
import { lockPortfolio } from '../portfolio/portfolio-store.js';
import { portfolioState, type PortfolioMonitorState } from './portfolio-state.js';

export interface MonitorOptions extends MonitorSettingsInput {
  /** YYYY-MM-DD: value with bars up to this date (default: today, UTC, from `now`). */
  readonly asOf?: string | undefined;
  /** One portfolio by name (default: every portfolio). */
  readonly portfolio?: string | undefined;
  /** The clock for the default as-of date. */
  readonly now?: (() => Date) | undefined;
}

export interface MonitorResult {
  readonly asOf: string;
  /** The state of every portfolio monitored, by name. */
  readonly portfolios: readonly PortfolioMonitorState[];
  /** Alerts this run created, oldest observation first (ids ascending within a portfolio). */
  readonly newAlerts: readonly MonitorAlert[];
  /** Portfolios with nothing to monitor yet (no rebalance on or before the as-of date). */
  readonly skipped: readonly { readonly portfolio: string; readonly reason: string }[];
  /** Portfolios whose run failed (the others still ran); nothing of theirs was stored. */
  readonly failed: readonly { readonly portfolio: string; readonly error: string }[];
}

/**
 * @example const { portfolios, newAlerts } = await monitorPortfolios(db, { asOf: '2024-03-28', thresholds: [0.05, 0.1, 0.2] })
 */
export async function monitorPortfolios(db: Database, options: MonitorOptions = {}): Promise<MonitorResult> {
  const settings = monitorSettings({
    thresholds: options.thresholds,
    trailingStop: options.trailingStop,
    staleAfterDays: options.staleAfterDays,
    basis: options.basis,
    strategyCheck: options.strategyCheck,
  });
  const asOf = options.asOf ?? (options.now ?? (() => new Date()))().toISOString().slice(0, 10);
  parseCalendarDate(asOf, 'asOf');
  const portfolios: PortfolioMonitorState[] = [];
  const newAlerts: MonitorAlert[] = [];
  const skipped: { portfolio: string; reason: string }[] = [];
  const failed: { portfolio: string; error: string }[] = [];
  for (const portfolio of await selectPortfolios(db, options.portfolio)) {
    try {
      const outcome = await monitorOne(db, portfolio, asOf, settings);
      if (outcome === null) {
        skipped.push({ portfolio: portfolio.name, reason: `no rebalance on or before ${asOf}` });
        continue;
      }
      portfolios.push(outcome.state);
      newAlerts.push(...outcome.alerts);
    } catch (error) {
      failed.push({ portfolio: portfolio.name, error: errorMessage(error) });
    }
  }
  newAlerts.sort((a, b) => (a.observedAt < b.observedAt ? -1 : a.observedAt > b.observedAt ? 1 : a.id - b.id));
  return { asOf, portfolios, newAlerts, skipped, failed };
}

async function monitorOne(
  db: Database,
  portfolio: PortfolioRow,
  asOf: string,
  settings: MonitorSettings,
): Promise<{ state: PortfolioMonitorState; alerts: MonitorAlert[] } | null> {
  const rebalances = await loadRebalances(db, portfolio.id, asOf);
  if (rebalances.length === 0) return null;
  const held = [...new Set(rebalances.flatMap((r) => r.holdings.filter((h) => h.shares !== 0).map((h) => h.symbol)))].sort();
  const prices = await loadPrices(db, held, portfolio.interval, rebalances[0]!.asOf, asOf);
  const current = rebalances[rebalances.length - 1]!.holdings.filter((h) => h.shares !== 0).map((h) => h.symbol);
  const lastBars = await lastBarTimes(db, current, portfolio.interval, asOf);
  const check = settings.strategyCheck ? await strategyCheck(db, portfolio, asOf) : { view: null, note: null, exitRule: null };
  const actions = await loadActions(db, held, rebalances[0]!.dataAsOf ?? rebalances[0]!.asOf, asOf);
  const { state, path } = portfolioState({
    portfolio,
    rebalances,
    prices,
    lastBars,
    asOf,
    settings,
    exitRule: check.exitRule,
    strategyView: check.view,
    strategyNote: check.note,
    actions,
  });

  const alerts = await db.kysely.transaction().execute(async (trx) => {
    await lockPortfolio(trx, portfolio.id);
    const { open, through } = await readAlertState(trx, portfolio.id);
    const watermark = through === null ? Number.NEGATIVE_INFINITY : barTimeOf(through);
    const plan = planAlerts(path, settings.thresholds, open, watermark, portfolio.interval);
    const created = await insertAlerts(trx, portfolio, plan.drafts);
    await endAlerts(trx, plan.endings);
    await recordLedger(trx, portfolio.id, path.ledger);
    const lastTs = path.ts[path.ts.length - 1]!;
    await upsertSnapshot(trx, state, lastTs > watermark ? barDateOf(lastTs, portfolio.interval) : through);
    return created;
  });
  return { state, alerts };
}

/** The strategy run on the portfolio's universe up to the as-of date; failures become a note, never a failed run. */
async function strategyCheck(
  db: Database,
  portfolio: PortfolioRow,
  asOf: string,
): Promise<{ view: StrategyView | null; note: string | null; exitRule: string | null }> {
  let exitRule: string | null = null;
  try {
    const strategy = await prepareStrategy(portfolio.strategy);
    exitRule = strategy.exitRule;
    const spec = parseBacktestSpec({
      strategy: portfolio.strategy,
      params: portfolio.params as StrategyParams,
      symbols: [...portfolio.symbols],
      interval: portfolio.interval,
      to: asOf,
    });
    const data = await loadBacktestData(db, spec);
    // What the strategy sees of a symbol on a day it did not trade: its last price (as in a backtest).
    const panel = { ...data.panel, values: carryForwardValues(data.panel.values) };
    return { view: strategyViewNow(strategy, panel, spec.params), note: null, exitRule };
  } catch (error) {
    return { view: null, note: `strategy check unavailable: ${errorMessage(error)}`, exitRule };
  }
}

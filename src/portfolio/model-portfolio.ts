/**
 * Model portfolios that subscribers follow: created from a generated proposal, then rebalanced on
 * the strategy's calendar against what they hold. Each step is stored (see portfolio-store.ts).
 */
import type { Database } from '../db/database.js';
import { ValidationError } from '../errors.js';
import { addPeriods, generatePortfolio, type PortfolioProposal } from './generate.js';
import {
  getPortfolio,
  insertPortfolio,
  insertRebalance,
  listPortfolios,
  rebalances,
  firstRebalanceDay,
  hasRebalanceOn,
  type RebalanceRecord,
  type StoredPortfolio,
  type StoredRebalance,
} from './portfolio-store.js';
import type { PortfolioRequestInput, SipPlan } from './portfolio-spec.js';
import { carryForward } from './current-holdings.js';
import { splitRatio, type LedgerEntry, type LedgerState } from './ledger.js';
import { recordLedger } from './ledger-store.js';
import { optimiseTargets } from './mpo-targets.js';
import { portfolioTargets, type PortfolioTargets, type TargetOptions } from './targets.js';
import { tradeList, type RebalanceMode, type TradeList } from './trade-list.js';

export interface CreatedPortfolio {
  readonly portfolioId: number;
  readonly rebalanceId: number;
  readonly proposal: PortfolioProposal;
}

/**
 * Generates a portfolio and stores it as a model portfolio with its first rebalance (the buys).
 * @example await createPortfolio(db, 'etf-momentum', { strategy: 'xs-momentum', universe: 'etf', symbols, amount: 100_000 }, { gates })
 */
export async function createPortfolio(
  db: Database,
  name: string,
  input: PortfolioRequestInput,
  options: TargetOptions,
): Promise<CreatedPortfolio> {
  const proposal = await generatePortfolio(db, input, options);
  const request = {
    ...proposal.request,
    strategy: proposal.spec.strategy,
    symbols: [...proposal.spec.symbols],
    universe: proposal.spec.universe,
    hyperparameters: proposal.spec.params,
    interval: proposal.spec.interval,
  };
  const ids = await insertPortfolio(db, name, request, proposal.backtestId, firstRebalance(proposal));
  return { ...ids, proposal };
}

/** The first rebalance of a new portfolio: everything bought with the amount. */
export function firstRebalance(proposal: PortfolioProposal): RebalanceRecord {
  return {
    ...rebalanceBasics(proposal),
    contribution: proposal.amount,
    value: proposal.invested + proposal.cash,
    cash: proposal.cash,
    // As trade-list.ts defines it: (bought + sold) / 2 / value before trading.
    turnover: proposal.invested / (2 * proposal.amount),
    costs: proposal.costs,
    holdings: proposal.holdings.map((h) => ({
      symbol: h.symbol,
      targetWeight: h.targetWeight,
      weight: h.value / (proposal.invested + proposal.cash),
      shares: h.shares,
      price: h.price,
      value: h.value,
      score: Number.isFinite(h.score) ? h.score : null,
      reason: h.reason,
    })),
    orders: proposal.holdings
      .filter((h) => h.shares > 0)
      .map((h) => ({ symbol: h.symbol, side: 'buy' as const, shares: h.shares, price: h.price, value: h.value, cost: h.cost })),
  };
}

function rebalanceBasics(
  p: Pick<
    PortfolioProposal,
    'asOf' | 'signalDate' | 'dataAsOf' | 'holdingPeriod' | 'evidence' | 'warnings' | 'note' | 'dataFingerprint' | 'codeVersion'
  >,
) {
  return {
    asOf: p.asOf,
    signalDate: p.signalDate,
    dataAsOf: p.dataAsOf,
    nextRebalance: p.holdingPeriod.until,
    evidence: p.evidence,
    warnings: p.note ? [...p.warnings, p.note] : p.warnings,
    dataFingerprint: p.dataFingerprint,
    codeVersion: p.codeVersion,
  };
}

export interface RebalanceOptions extends TargetOptions {
  /** Default: today (from `now`). */
  readonly asOf?: string;
  readonly allowStale?: boolean;
  /** Default: contribution-only for a SIP whose signal has not changed, else full. */
  readonly mode?: RebalanceMode;
  /** Compute and return, store nothing. */
  readonly dryRun?: boolean;
}

export interface RebalanceResult {
  readonly portfolio: StoredPortfolio;
  readonly previous: StoredRebalance;
  /** The new rebalance (the stored one when it already existed for the day). */
  readonly rebalance: RebalanceRecord;
  /** null on a dry run. */
  readonly rebalanceId: number | null;
  /** True when the portfolio had already been rebalanced on this as-of day: nothing new was done. */
  readonly alreadyDone: boolean;
  readonly mode: RebalanceMode | null;
  readonly trades: TradeList | null;
  readonly targets: PortfolioTargets | null;
  /** The splits and dividends applied to the previous holdings before trading (empty when already done). */
  readonly corporateActions: readonly LedgerEntry[];
}

/**
 * Rebalances a model portfolio as of a day: the strategy's targets on the data up to it, the
 * holdings valued at the latest closes plus cash and any SIP installments due since the last
 * rebalance, then the trade list (sells first). Once per portfolio and day: a second call returns
 * the stored rebalance.
 * @example const result = await rebalancePortfolio(db, 'etf-momentum', { asOf: '2024-02-29', gates })
 */
export async function rebalancePortfolio(db: Database, name: string, options: RebalanceOptions): Promise<RebalanceResult> {
  const portfolio = await getPortfolio(db, name);
  // The latest two (the one before the latest is what an already-done day reports as previous).
  const history = await rebalances(db, portfolio.id, 2);
  const previous = history[0]!;
  const firstDay = (await firstRebalanceDay(db, portfolio.id))!;
  const asOf = options.asOf ?? (options.now?.() ?? new Date()).toISOString().slice(0, 10);
  if (asOf < previous.asOf) {
    throw new ValidationError(
      'asOf',
      `${portfolio.name} was last rebalanced on ${previous.asOf}; a rebalance as of ${asOf} would go back in time`,
    );
  }
  const done = (): RebalanceResult => ({
    portfolio,
    previous: history[1] ?? previous,
    rebalance: previous,
    rebalanceId: previous.id,
    alreadyDone: true,
    mode: null,
    trades: null,
    targets: null,
    corporateActions: [],
  });
  if (asOf === previous.asOf) return done();

  const request = { ...portfolio.request, asOf, allowStale: options.allowStale ?? false };
  const signalled = await portfolioTargets(db, request, options);
  const sip = request.sip;
  const contribution = sip ? installmentsDue(firstDay, previous.asOf, asOf, sip) * sip.installment : 0;
  const mode = options.mode ?? rebalanceModeOf(request, previous.signalDate, signalled.signalDate);
  // The holdings as they are now: splits and dividends since the previous rebalance's data applied.
  const now = await carryForward(db, {
    interval: request.interval,
    dividends: request.dividends,
    holdings: previous.holdings.filter((h) => h.shares > 0).map((h) => ({ symbol: h.symbol, shares: h.shares })),
    cash: previous.cash,
    after: previous.dataAsOf,
    through: signalled.dataAsOf.slice(0, 10),
  });
  const prices = currentPrices(previous, signalled, now.entries);
  const targets =
    request.optimizer === 'mpo' ? await optimiseTargets(signalled, currentWeights(now, prices, contribution), request.costs) : signalled;
  const trades = tradeList({
    holdings: now.holdings,
    cash: now.cash + contribution,
    prices,
    targets: targets.holdings.map((h) => ({ symbol: h.symbol, weight: h.targetWeight })),
    mode,
    costs: request.costs,
    lotSize: request.lotSize,
  });
  const describe = new Map(targets.universe.map((h) => [h.symbol, h]));
  const record: RebalanceRecord = {
    ...rebalanceBasics(targets),
    contribution,
    value: trades.valueAfter,
    cash: trades.cash,
    turnover: trades.turnover,
    costs: trades.costs,
    holdings: trades.holdings
      .filter((h) => h.shares > 0 || h.targetWeight > 0)
      .map((h) => {
        const about = describe.get(h.symbol);
        return {
          symbol: h.symbol,
          targetWeight: h.targetWeight,
          weight: h.weight,
          shares: h.shares,
          price: h.price,
          value: h.value,
          score: about && Number.isFinite(about.score) ? about.score : null,
          reason: about?.reason ?? 'no longer in the universe',
        };
      })
      .sort((a, b) => b.targetWeight - a.targetWeight || b.value - a.value || a.symbol.localeCompare(b.symbol)),
    orders: trades.orders.map((o) => ({ symbol: o.symbol, side: o.side, shares: o.shares, price: o.price, value: o.value, cost: o.cost })),
  };
  const result = { portfolio, previous, rebalance: record, alreadyDone: false, mode, trades, targets, corporateActions: now.entries };
  if (options.dryRun) return { ...result, rebalanceId: null };
  const stored = await db.kysely.transaction().execute(async (trx) => {
    // Another process may have rebalanced meanwhile: the unique (portfolio, as_of) row decides.
    if (await hasRebalanceOn(trx, portfolio.id, asOf)) return null;
    await recordLedger(
      trx,
      portfolio.id,
      now.entries.map((e) => ({ ...e, rebalanceId: previous.id })),
    );
    return insertRebalance(trx, portfolio.id, record);
  });
  if (stored === null) return rebalancePortfolio(db, name, { ...options, asOf });
  return { ...result, rebalanceId: stored };
}

/**
 * Today's raw close per symbol, in today's shares: the targets' prices, else the previous
 * rebalance's price; either divided by the splits applied after the date it is from.
 */
function currentPrices(previous: StoredRebalance, targets: PortfolioTargets, entries: readonly LedgerEntry[]): Record<string, number> {
  const priced = new Map<string, { price: number; date: string }>(
    previous.holdings.map((h) => [h.symbol, { price: h.price, date: previous.dataAsOf }]),
  );
  for (const h of targets.universe) if (h.price > 0) priced.set(h.symbol, { price: h.price, date: h.priceDate.slice(0, 10) });
  const prices: Record<string, number> = {};
  for (const [symbol, { price, date }] of priced) {
    const later = entries.filter((e) => e.symbol === symbol && e.kind === 'split' && e.exDate > date);
    prices[symbol] = later.reduce((p, e) => p / splitRatio(e.value), price);
  }
  return prices;
}

/** A SIP whose signal has not changed buys with new money only (contribution); anything else rebalances fully. */
export function rebalanceModeOf(request: { readonly sip?: SipPlan | undefined }, previousSignal: string, signal: string): RebalanceMode {
  return request.sip && signal === previousSignal ? 'contribution' : 'full';
}

/** Weights of the holdings at today's prices, new money counted as cash. */
function currentWeights(now: LedgerState, prices: Readonly<Record<string, number>>, contribution: number): Record<string, number> {
  const values = now.holdings.map((h) => [h.symbol, h.shares * prices[h.symbol]!] as const);
  const total = values.reduce((sum, [, v]) => sum + v, now.cash + contribution);
  return Object.fromEntries(values.map(([s, v]) => [s, total > 0 ? v / total : 0]));
}

/** SIP installments dated after `from` and on or before `to`, on the plan's calendar from the first day (installment 0). */
export function installmentsDue(firstDay: string, from: string, to: string, plan: SipPlan): number {
  let due = 0;
  for (let k = 1; plan.count === null || k < plan.count; k++) {
    const date = addPeriods(firstDay, plan.every, k);
    if (date > to) break;
    if (date > from) due++;
  }
  return due;
}

/**
 * The day a portfolio next falls due: its strategy's next rebalance, or its next SIP installment
 * (on the plan's calendar from the first rebalance, on `firstDay`), whichever is first; null when
 * neither is known.
 */
export function nextDue(
  request: { readonly sip?: SipPlan | undefined },
  latest: Pick<StoredRebalance, 'asOf' | 'nextRebalance'> | null | undefined,
  firstDay: string,
): string | null {
  if (!latest) return null;
  let due = latest.nextRebalance;
  const sip = request.sip;
  if (sip) {
    for (let k = 1; sip.count === null || k < sip.count; k++) {
      const date = addPeriods(firstDay, sip.every, k);
      if (date > latest.asOf) {
        if (due === null || date < due) due = date;
        break;
      }
    }
  }
  return due;
}

/** Portfolios whose next rebalance (or next SIP installment) falls on or before `asOf`. */
export async function duePortfolios(db: Database, asOf: string): Promise<string[]> {
  const due: string[] = [];
  for (const p of await listPortfolios(db)) {
    const firstDay = await firstRebalanceDay(db, p.id);
    const next = firstDay === null ? null : nextDue(p.request, p.latest, firstDay);
    if (next !== null && next <= asOf) due.push(p.name);
  }
  return due;
}

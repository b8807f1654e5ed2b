/**
 * The portfolio generator: a strategy and a universe (or a stored backtest), an amount and a mode
 * -> the suggested holdings in whole shares, the leftover cash, the tentative holding period, the
 * SIP schedule and the evidence. The user journey's last step; `momentum portfolio create` stores it.
 */
import type { Database } from '../db/database.js';
import { DataError } from '../errors.js';
import { parsePortfolioRequest, type PortfolioRequest, type PortfolioRequestInput, type SipPlan } from './portfolio-spec.js';
import { optimiseTargets } from './mpo-targets.js';
import { portfolioTargets, type PortfolioTargets, type TargetHolding, type TargetOptions } from './targets.js';
import type { ValuedHolding } from './trade-list.js';
import { allocateWholeShares } from './whole-shares.js';

/** A target bought: the strategy's target and description with the whole shares the amount buys. */
export interface ProposedHolding extends TargetHolding, ValuedHolding {
  /** value / amount. */
  readonly weight: number;
  /** Estimated cost of buying them. */
  readonly cost: number;
}

export interface SipInstallment {
  readonly date: string;
  readonly amount: number;
}

export interface PortfolioProposal extends Omit<PortfolioTargets, 'holdings'> {
  readonly request: PortfolioRequest;
  readonly mode: 'lumpsum' | 'sip';
  /** The money invested now. */
  readonly amount: number;
  readonly holdings: readonly ProposedHolding[];
  readonly invested: number;
  readonly costs: number;
  readonly cash: number;
  /** Root of the summed squared differences between held and target weights, cash included. */
  readonly trackingError: number;
  /** The same for naive flooring of each target, for comparison. */
  readonly floorTrackingError: number;
  /** A SIP's installments (the first twelve of an open-ended plan); null for a lump sum. */
  readonly schedule: readonly SipInstallment[] | null;
}

/**
 * @example const proposal = await generatePortfolio(db, { strategy: 'xs-momentum', symbols, amount: 100_000 }, { gates })
 */
export async function generatePortfolio(
  db: Database,
  input: PortfolioRequestInput | PortfolioRequest,
  options: TargetOptions,
): Promise<PortfolioProposal> {
  const request = parsePortfolioRequest(input as PortfolioRequestInput);
  const targets = await portfolioTargets(db, request, options);
  return allocate(request, request.optimizer === 'mpo' ? await optimiseTargets(targets, {}, request.costs) : targets);
}

/** Whole shares of the targets for the request's amount; pure. */
export function allocate(request: PortfolioRequest, targets: PortfolioTargets): PortfolioProposal {
  const amount = request.amount;
  const costs = request.costs;
  const allocation = allocateWholeShares({
    budget: amount,
    targets: targets.holdings.map((h) => ({ symbol: h.symbol, weight: h.targetWeight, price: h.price, lotSize: request.lotSize })),
    costs,
  });
  if (targets.holdings.length > 0 && allocation.invested === 0)
    throw new DataError(allocation.note ?? `nothing could be bought for ${amount}`);
  const holdings = targets.holdings.map((h, i): ProposedHolding => {
    const line = allocation.lines[i]!;
    return { ...h, shares: line.shares, value: line.value, weight: line.weight, cost: line.cost };
  });
  return {
    ...targets,
    request,
    mode: request.mode,
    amount,
    holdings,
    invested: allocation.invested,
    costs: allocation.costs,
    cash: allocation.cash,
    trackingError: allocation.trackingError,
    floorTrackingError: allocation.floorTrackingError,
    schedule: request.sip ? sipSchedule(targets.asOf, amount, request.sip) : null,
  };
}

/** Installment dates from the as-of day: the first is `amount` now, then `installment` every week, month or quarter. */
export function sipSchedule(asOf: string, amount: number, plan: SipPlan, shown = 12): SipInstallment[] {
  const count = plan.count ?? shown;
  return Array.from({ length: count }, (_, k) => ({ date: addPeriods(asOf, plan.every, k), amount: k === 0 ? amount : plan.installment }));
}

/** The date k weeks, months or quarters after `iso` (a month end stays within its month: Jan 31 + 1 month = Feb 28/29). */
export function addPeriods(iso: string, every: SipPlan['every'], k: number): string {
  const [year, month, day] = iso.split('-').map(Number) as [number, number, number];
  if (every === 'week') return new Date(Date.UTC(year, month - 1, day + 7 * k)).toISOString().slice(0, 10);
  const months = month - 1 + k * (every === 'quarter' ? 3 : 1);
  const lastDay = new Date(Date.UTC(year, months + 1, 0)).getUTCDate();
  return new Date(Date.UTC(year, months, Math.min(day, lastDay))).toISOString().slice(0, 10);
}

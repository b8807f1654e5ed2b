/**
 * Step 4's allocation form: a stored model portfolio's current targets bought with an amount, as a
 * lump sum or as a SIP (the first installment now, then `installment` every week, month or
 * quarter), and the API v1 job body that stores that allocation as another model portfolio. Pure:
 * the targets are the stored rebalance's, so the preview is what the store regenerates on that day.
 */
import { sipSchedule, type SipInstallment } from '../../portfolio/generate.js';
import { portfolioRequestSchema, sipPlanSchema, SIP_FREQUENCIES, type SipPlan } from '../../portfolio/portfolio-spec.js';
import type { StoredPortfolio, StoredRebalance } from '../../portfolio/portfolio-store.js';
import { allocateWholeShares, type WholeShareAllocation } from '../../portfolio/whole-shares.js';

export interface AllocationChoice {
  readonly mode: 'lumpsum' | 'sip';
  /** The lump sum, or the SIP's first installment. */
  readonly amount: number;
  readonly sip: SipPlan | null;
}

export type FieldError = { readonly path: string; readonly message: string };

/** The form's text as typed, for showing it back. */
export function allocationFields(form: URLSearchParams, portfolio: StoredPortfolio) {
  const text = (name: string, fallback = '') => form.get(name)?.trim() ?? fallback;
  const request = portfolio.request;
  return {
    mode: text('mode', request.mode) === 'sip' ? 'sip' : 'lumpsum',
    amount: text('amount', String(request.amount)),
    installment: text('installment', request.sip ? String(request.sip.installment) : ''),
    every: text('every', request.sip?.every ?? 'month'),
    count: text('count', request.sip?.count ? String(request.sip.count) : ''),
    name: text('name'),
  };
}

/**
 * The choice the form makes, each refusal under the field it concerns (the request schema's own ranges).
 * @example allocationChoice(new URLSearchParams('mode=sip&amount=1000&installment=200&every=month'))
 */
export function allocationChoice(form: URLSearchParams): { ok: true; choice: AllocationChoice } | { ok: false; fields: FieldError[] } {
  const text = (name: string) => form.get(name)?.trim() ?? '';
  const fields: FieldError[] = [];
  const money = (name: string, schema = portfolioRequestSchema.shape.amount) => {
    const parsed = schema.safeParse(text(name) === '' ? Number.NaN : Number(text(name)));
    if (!parsed.success)
      fields.push({ path: name, message: text(name) === '' ? 'give an amount, a number' : 'must be a number more than 0' });
    return parsed.data ?? 0;
  };
  const mode = text('mode') === 'sip' ? 'sip' : 'lumpsum';
  const amount = money('amount');
  if (mode === 'lumpsum') return fields.length > 0 ? { ok: false, fields } : { ok: true, choice: { mode, amount, sip: null } };
  const installment = money('installment', sipPlanSchema.shape.installment);
  const every = SIP_FREQUENCIES.find((f) => f === text('every'));
  if (!every) fields.push({ path: 'every', message: `choose one of ${SIP_FREQUENCIES.join(', ')}` });
  const count = sipPlanSchema.shape.count.safeParse(text('count') === '' ? null : Number(text('count')));
  if (!count.success) fields.push({ path: 'count', message: 'a whole number of installments from 1 to 10000, or empty for open-ended' });
  if (fields.length > 0) return { ok: false, fields };
  return { ok: true, choice: { mode, amount, sip: { installment, every: every!, count: count.data ?? null } } };
}

export interface AllocationPreview {
  readonly allocation: WholeShareAllocation;
  /** A SIP's installments (the first twelve of an open-ended plan); null for a lump sum. */
  readonly schedule: readonly SipInstallment[] | null;
  /** True when the choice is the portfolio as it is stored: nothing new to store. */
  readonly stored: boolean;
}

/**
 * Whole shares of the latest rebalance's targets at its prices for the choice's amount (what the
 * first installment buys, for a SIP), with the portfolio's lot size and costs.
 */
export function allocationPreview(portfolio: StoredPortfolio, latest: StoredRebalance, choice: AllocationChoice): AllocationPreview {
  const request = portfolio.request;
  const allocation = allocateWholeShares({
    budget: choice.amount,
    targets: latest.holdings
      .filter((h) => h.targetWeight > 0 && h.price > 0)
      .map((h) => ({ symbol: h.symbol, weight: h.targetWeight, price: h.price, lotSize: request.lotSize })),
    costs: request.costs,
  });
  return {
    allocation,
    schedule: choice.sip ? sipSchedule(latest.asOf, choice.amount, choice.sip) : null,
    stored: sameAsStored(portfolio, choice),
  };
}

function sameAsStored(portfolio: StoredPortfolio, choice: AllocationChoice): boolean {
  const { mode, amount, sip } = portfolio.request;
  if (mode !== choice.mode || amount !== choice.amount) return false;
  if (!sip || !choice.sip) return !sip && !choice.sip;
  return sip.installment === choice.sip.installment && sip.every === choice.sip.every && sip.count === choice.sip.count;
}

/**
 * The API v1 portfolio job that stores the choice as model portfolio `name`: the stored request
 * (strategy, parameters, universe, costs, gates) with the new mode and amount, as of the latest
 * rebalance's day, so the stored copy buys what the preview showed.
 */
export function allocationJobBody(portfolio: StoredPortfolio, latest: StoredRebalance, choice: AllocationChoice, name: string) {
  const { sip: _sip, ...request } = portfolio.request;
  return {
    name,
    request: { ...request, mode: choice.mode, amount: choice.amount, asOf: latest.asOf, ...(choice.sip ? { sip: choice.sip } : {}) },
  };
}

/**
 * The portfolio ledger: what corporate actions do to a holding of whole shares and its cash.
 * Pure: holdings, cash, the events and the ex-date closes in; new holdings, cash and one entry
 * per event out. Every valuation of a model portfolio (rebalancing, monitoring, drift, alerts,
 * SIP installments, subscribers' reports) goes through it, so shares are always current shares
 * and values are raw close x current shares + cash.
 *
 * - Split of r new shares per old share on ex-date e: s -> floor(s x r) whole shares, and the
 *   fraction left, (s x r - floor(s x r)) x close_e, is paid as cash in lieu (close_e: the raw close
 *   of the first bar on or after e, already in new shares). A ratio within 1e-5 of a simple
 *   fraction is taken as that fraction (upstream data writes 7:1 as 7.00000700001).
 * - Dividend of d a share: s x d to cash on the ex-date (shares held at the close before it,
 *   after a split of the same day: splits apply first), or, with `reinvest`, floor(s x d / close_e)
 *   more shares at close_e, free of costs (as a dividend reinvestment plan), the rest to cash.
 * Lot sizes are not enforced on what a split leaves (an odd lot is what a holder gets).
 */
import { simpleFraction, splitText, type CorporateAction } from '../data/corporate-action.js';
import type { Holding } from './trade-list.js';

export type DividendPolicy = 'cash' | 'reinvest';

export interface LedgerEntry {
  readonly symbol: string;
  readonly exDate: string;
  readonly kind: CorporateAction['kind'];
  /** The event's value: split ratio or cash per share. */
  readonly value: number;
  readonly sharesBefore: number;
  readonly sharesAfter: number;
  /** Cash credited: in lieu of a fractional share, or the dividend net of what was reinvested. */
  readonly cash: number;
  /** The raw close used for cash in lieu or reinvesting; null when none was needed. */
  readonly price: number | null;
  readonly note: string;
}

export interface LedgerState<H extends Holding = Holding> {
  readonly holdings: readonly H[];
  readonly cash: number;
  readonly entries: readonly LedgerEntry[];
}

/**
 * Applies events in order (callers pass them sorted by ex-date, splits first within a day) to the
 * holdings they concern; `closeOn(symbol, exDate)` gives the raw close of the first bar on or after
 * the ex-date (null when none: cash in lieu and reinvestment then count nothing, and say so).
 * @example
 *   applyActions([{ symbol: 'USO', shares: 2283 }], 0, [{ symbol: 'USO', exDate: '2020-04-29', kind: 'split', value: 0.125, source: 'csv' }], { dividends: 'cash', closeOn: () => 2.48 })
 *   // holdings: USO 285 shares; cash 0.93 (0.375 share in lieu)
 */
export function applyActions<H extends Holding>(
  holdings: readonly H[],
  cash: number,
  actions: readonly CorporateAction[],
  options: { readonly dividends: DividendPolicy; readonly closeOn: (symbol: string, exDate: string) => number | null },
): LedgerState<H> {
  const current = new Map(holdings.map((h) => [h.symbol, h]));
  const entries: LedgerEntry[] = [];
  let balance = cash;
  for (const action of actions) {
    const held = current.get(action.symbol);
    if (!held || !(held.shares > 0)) continue;
    const entry = applyOne(held.shares, action, options.dividends, options.closeOn(action.symbol, action.exDate));
    current.set(action.symbol, { ...held, shares: entry.sharesAfter });
    balance += entry.cash;
    entries.push(entry);
  }
  return { holdings: holdings.map((h) => current.get(h.symbol)!), cash: balance, entries };
}

/** One event on one holding of `shares` whole shares. */
export function applyOne(shares: number, action: CorporateAction, dividends: DividendPolicy, close: number | null): LedgerEntry {
  const base = { symbol: action.symbol, exDate: action.exDate, kind: action.kind, value: action.value, sharesBefore: shares };
  const priced = close !== null && close > 0;
  if (action.kind === 'split') {
    const ratio = splitRatio(action.value);
    const exact = shares * ratio;
    // Products like 285.00000000000006 are whole shares, not a fraction to pay out.
    const whole = Math.floor(exact + 1e-9);
    const fraction = Math.max(0, exact - whole);
    const inLieu = fraction > 1e-9 && priced ? fraction * close : 0;
    const lieuText =
      fraction > 1e-9
        ? priced
          ? `; ${round(fraction, 6)} of a share paid in cash at ${close} (${round(inLieu, 2)})`
          : `; ${round(fraction, 6)} of a share lost: no close on or after the ex-date to pay it at`
        : '';
    return {
      ...base,
      sharesAfter: whole,
      cash: inLieu,
      price: fraction > 1e-9 && priced ? close : null,
      note: `${splitText(ratio)} split: ${shares} -> ${whole} shares${lieuText}`,
    };
  }
  const amount = shares * action.value;
  if (dividends === 'reinvest' && priced) {
    const bought = Math.floor(amount / close + 1e-9);
    const rest = amount - bought * close;
    return {
      ...base,
      sharesAfter: shares + bought,
      cash: rest,
      price: close,
      note: `dividend ${action.value} a share on ${shares} shares = ${round(amount, 2)}, reinvested: ${bought} shares at ${close}, ${round(rest, 2)} to cash`,
    };
  }
  const why = dividends === 'reinvest' ? ' (not reinvested: no close on or after the ex-date)' : '';
  return {
    ...base,
    sharesAfter: shares,
    cash: amount,
    price: null,
    note: `dividend ${action.value} a share on ${shares} shares = ${round(amount, 2)} to cash${why}`,
  };
}

/** The split ratio to apply: a simple fraction when the value is one up to data noise. */
export function splitRatio(value: number): number {
  const fraction = simpleFraction(value, 1e-5);
  return fraction ? fraction[0] / fraction[1] : value;
}

function round(x: number, digits: number): number {
  return Number(x.toFixed(digits));
}

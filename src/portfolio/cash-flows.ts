/**
 * Returns of a stream of cash flows: the money-weighted return (XIRR) and the time-weighted return.
 *
 * XIRR (as Excel's XIRR): the rate r with NPV(r) = Σ_i a_i (1 + r)^(-d_i / 365) = 0, d_i the days
 * from the earliest flow (actual/365). Amounts are from the investor's side: money paid in is
 * negative, money received (or the final value) positive. Solved in x = ln(1 + r), where NPV is
 * smooth for every real x: Newton from the guess, and when Newton leaves the domain or stalls,
 * bisection on a bracket found by stepping outwards from the guess. With several sign changes a
 * stream may have several rates; the one found is the one nearest the guess that the search reaches.
 *
 * Time-weighted return: the chain-linked product of sub-period returns between external flows,
 * Π_i V_i / (V_{i-1} + F_{i-1}) - 1, with V_i the value just before flow F_i; flows do not move it.
 */
import { MS_PER_DAY } from '../data/bar.js';
import { DataError, ValidationError } from '../errors.js';
import { parseCalendarDate } from '../util/calendar-date.js';

export interface CashFlow {
  /** YYYY-MM-DD. */
  readonly date: string;
  /** Negative: paid in by the investor; positive: received (a withdrawal, the final value). */
  readonly amount: number;
}

/**
 * The annual money-weighted return of dated cash flows (Excel's XIRR).
 * @example xirr([{ date: '2020-01-01', amount: -100 }, { date: '2021-01-01', amount: 110 }]) // 0.09971 (366 days)
 */
export function xirr(flows: readonly CashFlow[], guess = 0.1): number {
  const points = validateFlows(flows);
  if (!Number.isFinite(guess) || guess <= -1) throw new ValidationError('guess', `the guess must be a rate > -1 (e.g. 0.1), got ${guess}`);
  const last = Math.max(...points.map((p) => p.years));
  // NPV(x) x e^(x T) for x < 0 (T the last flow's time): the same sign, and no overflow at extreme rates.
  const npv = (x: number) => {
    const shift = x < 0 ? last : 0;
    let value = 0;
    let slope = 0;
    for (const { years, amount } of points) {
      const term = amount * Math.exp(-x * (years - shift));
      value += term;
      slope -= years * term;
    }
    return { value, slope };
  };
  const x = newton(npv, Math.log1p(guess)) ?? bisect(npv, Math.log1p(guess));
  if (x === null) {
    throw new DataError(
      'xirr: no annual rate between -100% and 1e304 makes the net present value of these flows zero; ' +
        'flows that change sign more than once may have no internal rate of return',
    );
  }
  return Math.expm1(x);
}

/** One external flow and the portfolio value just before it. */
export interface Valuation {
  /** Portfolio value just before the flow (0 before the first contribution). */
  readonly value: number;
  /** Money added to the portfolio right after this valuation (negative: withdrawn); 0 at the end. */
  readonly contribution: number;
}

/**
 * The time-weighted return (not annualised) of valuations taken just before each external flow,
 * the last one the final value: Π_{i>=1} V_i / (V_{i-1} + F_{i-1}) - 1. A sub-period that starts
 * with nothing invested is skipped (it has no return); a portfolio that never held anything returns 0.
 * @example timeWeightedReturn([{ value: 0, contribution: 100 }, { value: 200, contribution: 1000 }, { value: 600, contribution: 0 }]) // 0: doubled, then halved
 */
export function timeWeightedReturn(valuations: readonly Valuation[]): number {
  if (valuations.length < 2) throw new ValidationError('valuations', 'needs at least two valuations: one before a flow and a final one');
  valuations.forEach((v, i) => {
    if (!Number.isFinite(v.value) || v.value < 0) {
      throw new ValidationError(`valuations[${i}].value`, `a portfolio value must be a finite number >= 0, got ${v.value}`);
    }
    if (!Number.isFinite(v.contribution)) {
      throw new ValidationError(`valuations[${i}].contribution`, `a flow must be a finite number, got ${v.contribution}`);
    }
  });
  let growth = 1;
  for (let i = 1; i < valuations.length; i++) {
    const start = valuations[i - 1]!.value + valuations[i - 1]!.contribution;
    if (start > 0) growth *= valuations[i]!.value / start;
    else if (start < 0) throw new ValidationError(`valuations[${i - 1}].contribution`, 'withdraws more than the portfolio holds');
  }
  return growth - 1;
}

/** (1 + total)^(365 / days) - 1: a total return over `days` as an annual rate (NaN for no days). */
export function annualise(total: number, days: number): number {
  return days > 0 ? Math.pow(1 + total, 365 / days) - 1 : Number.NaN;
}

/** Days from `from` to `to` (YYYY-MM-DD each). */
export function daysBetween(from: string, to: string): number {
  return (parseCalendarDate(to, 'to') - parseCalendarDate(from, 'from')) / MS_PER_DAY;
}

function validateFlows(flows: readonly CashFlow[]): { years: number; amount: number }[] {
  if (!Array.isArray(flows) || flows.length < 2) {
    throw new ValidationError('flows', 'needs at least two cash flows: money paid in (negative) and money received (positive)');
  }
  const parsed = flows.map((flow, i) => {
    if (!Number.isFinite(flow.amount)) throw new ValidationError(`flows[${i}].amount`, `expected a finite number, got ${flow.amount}`);
    return { ts: parseCalendarDate(flow.date, `flows[${i}].date`), amount: flow.amount };
  });
  if (!parsed.some((f) => f.amount < 0) || !parsed.some((f) => f.amount > 0)) {
    throw new ValidationError(
      'flows',
      'needs at least one negative amount (paid in) and one positive amount (received or final value): without a sign change there is no rate',
    );
  }
  const first = Math.min(...parsed.map((f) => f.ts));
  if (parsed.every((f) => f.ts === first)) throw new ValidationError('flows', 'all flows fall on one date: a rate needs time to pass');
  return parsed.map((f) => ({ years: (f.ts - first) / MS_PER_DAY / 365, amount: f.amount }));
}

type Npv = (x: number) => { value: number; slope: number };

/** Bounds on x = ln(1 + r): e^700 is near the largest double, and e^-700 - 1 is -100% to print precision. */
const X_LIMIT = 700;

/** Newton's method on NPV(x); null when it leaves [-X_LIMIT, X_LIMIT] or does not converge. */
function newton(npv: Npv, start: number): number | null {
  let x = start;
  for (let i = 0; i < 100; i++) {
    const { value, slope } = npv(x);
    if (value === 0) return x;
    if (!(Math.abs(slope) > 0)) return null;
    const step = value / slope;
    x -= step;
    if (!(Math.abs(x) <= X_LIMIT)) return null;
    if (Math.abs(step) <= 1e-13 * Math.max(1, Math.abs(x))) return x;
  }
  return null;
}

/** Bisection on the first sign change found stepping outwards from `start` (both ways alternately). */
function bisect(npv: Npv, start: number): number | null {
  const at = (x: number) => npv(x).value;
  const origin = Math.max(-X_LIMIT, Math.min(X_LIMIT, start));
  let bracket: [number, number] | null = null;
  const f0 = at(origin);
  if (f0 === 0) return origin;
  let down = origin;
  let up = origin;
  for (let step = 0.01; bracket === null && (down > -X_LIMIT || up < X_LIMIT); step *= 1.5) {
    const nextUp = Math.min(X_LIMIT, origin + step);
    if (nextUp > up && Math.sign(at(nextUp)) !== Math.sign(at(up))) bracket = [up, nextUp];
    up = nextUp;
    const nextDown = Math.max(-X_LIMIT, origin - step);
    if (bracket === null && nextDown < down && Math.sign(at(nextDown)) !== Math.sign(at(down))) bracket = [nextDown, down];
    down = nextDown;
  }
  if (bracket === null) return null;
  let [lo, hi] = bracket;
  const loSign = Math.sign(at(lo));
  for (let i = 0; i < 200 && hi - lo > 1e-15 * Math.max(1, Math.abs(lo)); i++) {
    const mid = (lo + hi) / 2;
    const value = at(mid);
    if (value === 0) return mid;
    if (Math.sign(value) === loSign) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

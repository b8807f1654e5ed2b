/**
 * Buying toward target weights with limited cash, never selling: the machinery behind lump-sum
 * allocation, contribution-only rebalancing and the buy side of a full rebalance.
 *
 * Objective: the squared tracking error to the targets, cash counted as its own position,
 *
 *     f(x) = sum_j (v_j / D - t_j)^2 + (c / D - t_c)^2,   t_c = max(0, 1 - sum_j t_j),
 *
 * v_j the value of position j at its reference price after buying x_j lots, c the cash left after
 * paying for them (slippage, commission and a fixed fee per order included), and D either a fixed
 * base (the lump-sum budget) or the portfolio value after buying (sum v + c: costs leave it).
 * Constraint: the cash spent never exceeds the cash available. Only assets marked buyable are bought.
 *
 * Method (whole lots, an integer least-squares problem, NP-hard in general, so a heuristic):
 * 1. Continuous start: the water-filling optimum of the quadratic with the base held at its value
 *    before buying (KKT: every asset bought ends at the same deviation λ; the others sit above it),
 *    found by bisection on λ, floored to whole lots. Callers may add other starts (whole-shares
 *    adds naive flooring, so the result is never worse than it).
 * 2. Local search from each start: repeatedly apply the affordable move that lowers f most, first
 *    adding one lot (the greedy step), then, when no lot helps, removing one lot bought in this run,
 *    then swapping one lot of one asset for one of another, then two compound moves (force in a
 *    lot that does not fit by taking back others, or take back one lot and refill greedily). Every
 *    accepted move strictly lowers f, so it ends. On random cases of 3 to 7 assets small enough to
 *    enumerate, the search alone missed the optimum on ~12% without the compound moves, ~0.2% with.
 * 3. With few buyable assets (<= 9), every lot vector within a box around the end point is tried
 *    (up to 20,000), which closes the remaining gap on small portfolios.
 * 4. The best end point wins, unless buying nothing is better (then nothing is bought): the result
 *    never has a larger tracking error than the portfolio before buying.
 *
 * Fractional mode solves step 1 only (with the base fixed at its value before buying, the exact
 * continuous optimum, up to the fixed fees, which only shrink the budget).
 */
import type { TransactionCost } from '../backtest/transaction-cost.js';

export interface LotProblem {
  /** Cash available to spend. */
  readonly cash: number;
  /** Shares held now (never sold here). */
  readonly shares: Float64Array;
  /** Reference price per share; must be > 0 where shares are held or the asset is buyable. */
  readonly price: Float64Array;
  /** Shares per lot (1 in fractional mode). */
  readonly lotSize: Float64Array;
  /** Target weight per asset (>= 0). */
  readonly target: Float64Array;
  /** 1 where the asset may be bought. */
  readonly buyable: Uint8Array;
  readonly cost: TransactionCost;
  /** Weights are fractions of this fixed value (a lump-sum budget); omitted: of the value after buying. */
  readonly base?: number;
  /** More starting points for the local search, lots per asset (whole mode). */
  readonly starts?: readonly Float64Array[];
}

export interface LotSolution {
  /** Shares bought per asset (whole lots; fractional in fractional mode). */
  readonly bought: Float64Array;
  /** Cash paid, costs included. */
  readonly spent: number;
  /** Tracking error after buying (sqrt of f). */
  readonly trackingError: number;
  /** Tracking error before buying anything. */
  readonly trackingErrorBefore: number;
}

/** Cash paid for buying `bought` shares, summed in asset order (the order callers account in). */
function totalBuyCash(bought: Float64Array, price: Float64Array, cost: TransactionCost): number {
  let total = 0;
  for (let j = 0; j < bought.length; j++) total += cost.buy(bought[j]!, price[j]!).total;
  return total;
}

/** Tracking error (sqrt of f above) of the portfolio after buying `bought` shares (0 for an empty book). */
export function trackingErrorAfter(problem: LotProblem, bought: Float64Array): number {
  const n = problem.shares.length;
  const cash = problem.cash - totalBuyCash(bought, problem.price, problem.cost);
  // Position values are recomputed in the second pass rather than kept in an array: this runs in the
  // allocation's innermost loops, where an allocation per call dominated the time.
  const valueOf = (j: number) => {
    const shares = problem.shares[j]! + bought[j]!;
    return shares === 0 ? 0 : shares * problem.price[j]!;
  };
  let value = cash;
  for (let j = 0; j < n; j++) value += valueOf(j);
  const base = problem.base ?? value;
  if (!(base > 0)) return 0; // an empty book has no weights to be off
  let f = (cash / base - cashTarget(problem.target)) ** 2;
  for (let j = 0; j < n; j++) f += (valueOf(j) / base - problem.target[j]!) ** 2;
  return Math.sqrt(f);
}

/** Target weight of cash: what the asset targets leave, never below 0. */
export function cashTarget(target: Float64Array): number {
  let sum = 0;
  for (const t of target) sum += t;
  return Math.max(0, 1 - sum);
}

/**
 * Whole lots (or fractional shares) to buy.
 * @example allocateBuys({ cash: 1000, shares: Float64Array.of(0), price: Float64Array.of(30), lotSize: Float64Array.of(1),
 *   target: Float64Array.of(1), buyable: Uint8Array.of(1), cost: new TransactionCost(NO_COSTS) }).bought // Float64Array [33]
 */
export function allocateBuys(problem: LotProblem, options: { readonly fractional?: boolean } = {}): LotSolution {
  const n = problem.shares.length;
  const none = new Float64Array(n);
  const before = trackingErrorAfter(problem, none);
  let best: Float64Array = none;
  let bestTe = before;
  const affordable = (j: number) =>
    problem.buyable[j] === 1 &&
    problem.price[j]! > 0 &&
    problem.cost.buy(options.fractional ? 1e-9 : problem.lotSize[j]!, problem.price[j]!).total <= problem.cash;
  if (!problem.shares.some((_, j) => affordable(j))) return { bought: none, spent: 0, trackingError: before, trackingErrorBefore: before };
  const consider = (bought: Float64Array) => {
    if (totalBuyCash(bought, problem.price, problem.cost) > problem.cash) return;
    const te = trackingErrorAfter(problem, bought);
    if (te < bestTe) {
      best = bought;
      bestTe = te;
    }
  };
  const continuous = waterFill(problem);
  if (options.fractional) {
    consider(fitCash(problem, continuous));
  } else {
    const starts = [Float64Array.from(continuous, (b, j) => (b > 0 ? Math.floor(b / problem.lotSize[j]!) : 0))];
    for (const start of problem.starts ?? []) starts.push(Float64Array.from(start));
    for (const start of starts) {
      const lots = neighbourhood(problem, new LotSearch(problem, start).run());
      consider(Float64Array.from(lots, (x, j) => x * problem.lotSize[j]!));
    }
  }
  return { bought: best, spent: totalBuyCash(best, problem.price, problem.cost), trackingError: bestTe, trackingErrorBefore: before };
}

/**
 * The continuous optimum (shares, fractional) with the base held at its value before buying: each
 * buyable asset j is filled up to deviation λ, b_j = max(0, (λ + t_j) V - v_j), where λ is the
 * smallest value at which either the cash term balances (λ = r e_c(λ), r the buy rate) or the money
 * runs out. Fixed fees shrink the budget by one fee per asset bought (iterated while that count settles).
 */
function waterFill(problem: LotProblem): Float64Array {
  const n = problem.shares.length;
  const r = problem.cost.buyRate;
  let held = 0;
  const value = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    value[j] = problem.shares[j]! === 0 ? 0 : problem.shares[j]! * problem.price[j]!;
    held += value[j]!;
  }
  const base = problem.base ?? held + problem.cash;
  const tc = cashTarget(problem.target);
  const deviation = Float64Array.from(value, (v, j) => v / base - problem.target[j]!);
  const buyable: number[] = [];
  for (let j = 0; j < n; j++) if (problem.buyable[j] && problem.price[j]! > 0) buyable.push(j);
  const result = new Float64Array(n);
  if (buyable.length === 0 || !(problem.cash > 0)) return result;

  const solve = (budget: number): Float64Array => {
    const out = new Float64Array(n);
    if (budget <= 0) return out;
    const spendAt = (lambda: number) => {
      let s = 0;
      for (const j of buyable) s += Math.max(0, lambda - deviation[j]!);
      return r * s * base;
    };
    const balance = (lambda: number) => lambda - r * ((problem.cash - spendAt(lambda)) / base - tc);
    const settled = (lambda: number) => balance(lambda) >= 0 || spendAt(lambda) >= budget;
    let lo = Math.min(...buyable.map((j) => deviation[j]!));
    if (settled(lo)) return out;
    let sum = 0;
    for (const j of buyable) sum += deviation[j]!;
    let hi = Math.max(Math.max(...buyable.map((j) => deviation[j]!)), (budget / (r * base) + sum) / buyable.length) + 1;
    for (let i = 0; i < 200 && hi - lo > 1e-15 * Math.max(1, Math.abs(lo)); i++) {
      const mid = (lo + hi) / 2;
      if (settled(mid)) hi = mid;
      else lo = mid;
    }
    // lo is on the affordable side.
    for (const j of buyable) {
      const valueToBuy = Math.max(0, lo - deviation[j]!) * base;
      // Amounts at rounding-noise size are not orders.
      if (valueToBuy > 1e-12 * base) out[j] = valueToBuy / problem.price[j]!;
    }
    return out;
  };

  const fee = problem.cost.fixedFee;
  let solution = solve(problem.cash);
  if (fee === 0) return solution;
  let orders = countPositive(solution);
  for (let i = 0; i <= n; i++) {
    const next = solve(problem.cash - fee * orders);
    const nextOrders = countPositive(next);
    solution = next;
    if (nextOrders >= orders) break; // fewer fees than budgeted for: affordable
    orders = nextOrders;
  }
  return solution;
}

/** Scales fractional buys down (rarely, by rounding noise) until their cash fits. */
function fitCash(problem: LotProblem, bought: Float64Array): Float64Array {
  let fitted = bought;
  for (let i = 0; i < 50 && totalBuyCash(fitted, problem.price, problem.cost) > problem.cash; i++) {
    fitted = Float64Array.from(fitted, (b) => b * (1 - 1e-12 * 2 ** i));
  }
  return fitted;
}

/** Combinations the neighbourhood enumeration may try. */
const NEIGHBOURHOOD_SIZE = 20_000;

/**
 * Tries every lot vector within ±R lots of the local optimum on each buyable asset, with R as large
 * as keeps (2R + 1)^k under NEIGHBOURHOOD_SIZE for k buyable assets (nothing to do beyond 9 of them):
 * small portfolios, where one lot is a large part of the money and local moves get stuck, get a
 * wider look.
 */
function neighbourhood(problem: LotProblem, lots: Float64Array): Float64Array {
  const assets: number[] = [];
  for (let j = 0; j < lots.length; j++) if (problem.buyable[j] && problem.price[j]! > 0) assets.push(j);
  const k = assets.length;
  const radius = k === 0 ? 0 : Math.floor((Math.pow(NEIGHBOURHOOD_SIZE, 1 / k) - 1) / 2);
  if (radius < 1) return lots;
  // One buffer for every trial: this loop runs up to NEIGHBOURHOOD_SIZE times per call, and a SIP
  // backtest calls it at every installment.
  const shares = new Float64Array(lots.length);
  const lotsToShares = (x: Float64Array) => {
    for (let j = 0; j < x.length; j++) shares[j] = x[j]! * problem.lotSize[j]!;
    return shares;
  };
  let best = Float64Array.from(lots);
  let bestTe = trackingErrorAfter(problem, lotsToShares(best));
  const trial = Float64Array.from(lots);
  const visit = (a: number, spent: number) => {
    if (a === k) {
      lotsToShares(trial);
      if (totalBuyCash(shares, problem.price, problem.cost) > problem.cash) return;
      const te = trackingErrorAfter(problem, shares);
      if (te < bestTe * (1 - RELATIVE_GAIN)) {
        best = Float64Array.from(trial);
        bestTe = te;
      }
      return;
    }
    const j = assets[a]!;
    for (let x = Math.max(0, lots[j]! - radius); x <= lots[j]! + radius; x++) {
      const cash = problem.cost.buy(x * problem.lotSize[j]!, problem.price[j]!).total;
      if (spent + cash > problem.cash * (1 + RELATIVE_GAIN)) break; // more lots only cost more
      trial[j] = x;
      visit(a + 1, spent + cash);
    }
    trial[j] = lots[j]!;
  };
  visit(0, 0);
  return best;
}

function countPositive(values: Float64Array): number {
  let count = 0;
  for (const v of values) if (v > 0) count++;
  return count;
}

/** Evaluations the wider moves (steps 3 to 5) may spend in one search, so large universes stay fast. */
const SEARCH_WORK = 2_000_000;

/** Assets the wider moves consider on each side. */
const CANDIDATES = 16;

/** Moves are rejected unless they lower f by more than this fraction of their own size (rounding noise). */
const RELATIVE_GAIN = 1e-12;

/**
 * Local search over whole lots bought on top of the held shares. Keeps the deviations and their
 * sums, so a move (one or two assets change, and the cash) is evaluated in O(1):
 * with ρ = D / D' the base before over after a move, an unchanged deviation becomes
 * ε' = ρ ε + (ρ - 1) t, so the unchanged terms change by (ρ - 1)[(ρ + 1) E2 + 2ρ ET + (ρ - 1) T2]
 * (E2 = Σε², ET = Σεt, T2 = Σt² over the unchanged terms); a changed one moves by
 * d = (ρ dv + (ρ - 1) v) / D and its square by d (2ε + d).
 */
class LotSearch {
  private readonly n: number;
  private readonly lots: Float64Array;
  private readonly value: Float64Array;
  private readonly deviation: Float64Array;
  private readonly tc: number;
  private readonly rate: number;
  private cash = 0;
  private spent = 0;
  private base = 0;
  private cashDeviation = 0;
  private e2 = 0;
  private et = 0;
  private t2 = 0;

  constructor(
    private readonly problem: LotProblem,
    start: Float64Array,
  ) {
    this.n = problem.shares.length;
    this.lots = Float64Array.from(start, (x, j) => (problem.buyable[j] && problem.price[j]! > 0 && x > 0 ? Math.floor(x) : 0));
    this.value = new Float64Array(this.n);
    this.deviation = new Float64Array(this.n);
    this.tc = cashTarget(problem.target);
    this.rate = problem.cost.buyRate;
    this.refresh();
  }

  /** Lots bought per asset at the end of the search. */
  run(): Float64Array {
    this.trim(-1);
    const n = this.n;
    let work = SEARCH_WORK;
    const better = (trial: LotSearch, than: LotSearch) => trial.objective() < than.objective() - RELATIVE_GAIN * this.objective();
    for (let moves = 0; moves < 20 * n + 10_000; moves++) {
      let best = { gain: 0, i: -1, j: -1 };
      const offer = (i: number, j: number) => {
        const gain = this.gain(i, j);
        if (gain > best.gain) best = { gain, i, j };
      };
      // 1. Add one lot (the greedy step).
      for (let j = 0; j < n; j++) if (this.canBuy(j)) offer(-1, j);
      // 2. Remove one lot bought in this run.
      if (best.gain === 0) for (let i = 0; i < n; i++) if (this.lots[i]! > 0) offer(i, -1);
      if (best.gain > 0) {
        this.apply(best.i, best.j);
        continue;
      }
      if (work <= 0) break;
      // The wider moves look at the few lots whose addition or removal alone hurts least.
      const adds = this.candidates((j) => (this.canBuy(j) ? this.delta(-1, j) : null));
      const removals = this.candidates((i) => (this.lots[i]! > 0 ? this.delta(i, -1) : null));
      // 3. Swap one lot of i for one of j.
      for (const i of removals) for (const j of adds) if (j !== i) offer(i, j);
      work -= adds.length * removals.length;
      if (best.gain > 0) {
        this.apply(best.i, best.j);
        continue;
      }
      // 4. Add one lot of j that does not fit, pay for it by taking back the lots that hurt least, then refill.
      let bestTrial: LotSearch | null = null;
      for (const j of adds) {
        const trial = new LotSearch(this.problem, this.lots);
        trial.apply(-1, j);
        work -= (trial.trim(j) + 1) * n;
        if (trial.spent > this.problem.cash) continue;
        work -= (trial.fill(-1) + trial.settle(j)) * n;
        if (better(trial, bestTrial ?? this)) bestTrial = trial;
      }
      // 5. Take back one lot of i and spend the money on the lots (never of i) that help most.
      for (const i of removals) {
        const trial = new LotSearch(this.problem, this.lots);
        trial.apply(i, -1);
        work -= (trial.fill(i) + trial.settle(-1) + 1) * n;
        if (better(trial, bestTrial ?? this)) bestTrial = trial;
      }
      if (bestTrial === null) break;
      this.lots.set(bestTrial.lots);
      this.refresh();
    }
    return this.lots;
  }

  /** The assets (at most CANDIDATES) whose move alone changes f least, best first. */
  private candidates(move: (k: number) => { change: number } | null): number[] {
    const scored: { k: number; change: number }[] = [];
    for (let k = 0; k < this.n; k++) {
      const result = move(k);
      if (result) scored.push({ k, change: result.change });
    }
    scored.sort((a, b) => a.change - b.change || a.k - b.k);
    return scored.slice(0, CANDIDATES).map((s) => s.k);
  }

  /** f, the squared tracking error. */
  private objective(): number {
    return this.e2;
  }

  /** Adds the lot (never of `skip`) that helps most while one helps; returns the number added. */
  private fill(skip: number): number {
    let added = 0;
    for (;;) {
      let best = { gain: 0, j: -1 };
      for (let j = 0; j < this.n; j++) {
        if (j === skip || !this.canBuy(j)) continue;
        const gain = this.gain(-1, j);
        if (gain > best.gain) best = { gain, j };
      }
      if (best.j < 0) return added;
      this.apply(-1, best.j);
      added++;
    }
  }

  /**
   * Takes back the lot (never of `keep`) whose removal helps most and refills, while one helps;
   * returns the number of moves. The compound moves end here: the lots forced in may leave others
   * too many (e.g. one lot of a dear asset in place of several of a cheap one).
   */
  private settle(keep: number): number {
    let moves = 0;
    for (;;) {
      let best = { gain: 0, i: -1 };
      for (let i = 0; i < this.n; i++) {
        if (this.lots[i]! === 0 || i === keep) continue;
        const gain = this.gain(i, -1);
        if (gain > best.gain) best = { gain, i };
      }
      if (best.i < 0) return moves;
      this.apply(best.i, -1);
      moves += 1 + this.fill(-1);
    }
  }

  /**
   * Takes back the lots (never of `keep`) whose removal hurts least until the cash suffices;
   * returns the number of lots taken back. Starts floored from a continuous solution can overshoot by rounding.
   */
  private trim(keep: number): number {
    let removed = 0;
    while (this.spent > this.problem.cash) {
      let best = { gain: Number.NEGATIVE_INFINITY, i: -1 };
      for (let i = 0; i < this.n; i++) {
        if (this.lots[i]! === 0 || i === keep) continue;
        const gain = -(this.delta(i, -1)?.change ?? Number.POSITIVE_INFINITY);
        if (gain > best.gain) best = { gain, i };
      }
      if (best.i < 0) return removed;
      this.apply(best.i, -1);
      removed++;
    }
    return removed;
  }

  private canBuy(j: number): boolean {
    return this.problem.buyable[j] === 1 && this.problem.price[j]! > 0;
  }

  /** The decrease of f from a move; 0 when it does not fit the cash or helps by no more than rounding noise. */
  private gain(i: number, j: number): number {
    const move = this.delta(i, j);
    if (!move || move.spent > this.problem.cash) return 0;
    return move.change < -RELATIVE_GAIN * move.size ? -move.change : 0;
  }

  /**
   * A move: taking back one lot of i (i >= 0) and buying one lot of j (j >= 0). Returns the change
   * of f, the size of the terms it sums (for the noise threshold) and the cash spent after it.
   */
  private delta(i: number, j: number): { change: number; size: number; spent: number } | null {
    const { price, lotSize, cost, target } = this.problem;
    let dvI = 0;
    let dvJ = 0;
    let dc = 0;
    if (i >= 0) {
      dvI = -lotSize[i]! * price[i]!;
      dc += -dvI * this.rate + (this.lots[i] === 1 ? cost.fixedFee : 0);
    }
    if (j >= 0) {
      dvJ = lotSize[j]! * price[j]!;
      dc -= dvJ * this.rate + (this.lots[j] === 0 ? cost.fixedFee : 0);
    }
    const fixed = this.problem.base !== undefined;
    const dBase = fixed ? 0 : dvI + dvJ + dc;
    const after = this.base + dBase;
    if (!(after > 0)) return null;
    const rho = this.base / after;
    const rm1 = -dBase / after;
    let e2 = this.e2 - this.cashDeviation ** 2;
    let et = this.et - this.cashDeviation * this.tc;
    let t2 = this.t2 - this.tc ** 2;
    let change = 0;
    let size = 0;
    const term = (dv: number, v: number, eps: number) => {
      const d = (rho * dv + rm1 * v) / this.base;
      change += d * (2 * eps + d);
      size += Math.abs(d) * (2 * Math.abs(eps) + Math.abs(d));
    };
    const changed = (k: number, dv: number) => {
      const eps = this.deviation[k]!;
      e2 -= eps ** 2;
      et -= eps * target[k]!;
      t2 -= target[k]! ** 2;
      term(dv, this.value[k]!, eps);
    };
    if (i >= 0) changed(i, dvI);
    if (j >= 0) changed(j, dvJ);
    term(dc, this.cash, this.cashDeviation);
    const unchanged = rm1 * ((rho + 1) * e2 + 2 * rho * et + rm1 * t2);
    change += unchanged;
    size += Math.abs(unchanged);
    return { change, size, spent: this.spent - dc };
  }

  private apply(i: number, j: number): void {
    if (i >= 0) this.lots[i] = this.lots[i]! - 1;
    if (j >= 0) this.lots[j] = this.lots[j]! + 1;
    this.refresh();
  }

  /** Recomputes values, cash, base, deviations and their sums from the lots (O(n), once per accepted move). */
  private refresh(): void {
    const { shares, price, lotSize, target, cost } = this.problem;
    let spent = 0;
    let held = 0;
    for (let j = 0; j < this.n; j++) {
      const bought = this.lots[j]! * lotSize[j]!;
      spent += cost.buy(bought, price[j]!).total;
      const total = shares[j]! + bought;
      this.value[j] = total === 0 ? 0 : total * price[j]!;
      held += this.value[j]!;
    }
    this.spent = spent;
    this.cash = this.problem.cash - spent;
    this.base = this.problem.base ?? held + this.cash;
    this.cashDeviation = this.cash / this.base - this.tc;
    this.e2 = this.cashDeviation ** 2;
    this.et = this.cashDeviation * this.tc;
    this.t2 = this.tc ** 2;
    for (let j = 0; j < this.n; j++) {
      const eps = this.value[j]! / this.base - target[j]!;
      this.deviation[j] = eps;
      this.e2 += eps ** 2;
      this.et += eps * target[j]!;
      this.t2 += target[j]! ** 2;
    }
  }
}

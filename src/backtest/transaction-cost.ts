/**
 * The one transaction-cost model: the simulator takes the cash of a fill from it, the whole-share
 * allocator the cash of a purchase or a sale, and the optimiser its linear term (after
 * cvxportfolio's TransactionCost, whose `simulate` and optimisation term share one definition).
 *
 * With s the shares traded (> 0 bought, < 0 sold) at reference price p, and
 *   sigma = slippageBps / 1e4 (the price moved against the order),
 *   beta  = bps / 1e4         (commission on the executed value),
 *   phi   = fixedFee          (cash per order):
 *
 *   executed price   p' = p (1 + sign(s) sigma)
 *   fee              f  = beta |s| p' + phi
 *   cash paid        s p' + f          (negative: cash received)
 *
 * so one share bought costs p (1 + sigma)(1 + beta) and one sold brings p (1 - sigma)(1 - beta),
 * each order less phi. The optimiser's cost per unit of weight traded, |z| (Boyd et al. 2017,
 * section 2.3, with a = kappa),
 *   kappa = sigma + beta = ((1 + sigma)(1 + beta) - (1 - sigma)(1 - beta)) / 2,
 * is the mean of a purchase's and a sale's proportional cost; phi is not linear and is left out.
 *
 * Each reader keeps its own evaluation order of these formulas (the simulator's price-then-fee,
 * the allocator's rates): the same to rounding, and the reference backtests and whole-share
 * allocations depend on them to the last bit.
 */

export interface CostModel {
  /** Proportional cost, basis points of traded value. */
  readonly bps: number;
  /** Fill price moved against the order, basis points. */
  readonly slippageBps: number;
  /** Fixed fee per filled order, in cash. */
  readonly fixedFee: number;
}

export const NO_COSTS: CostModel = { bps: 0, slippageBps: 0, fixedFee: 0 };

/** A fill as the simulator books it. */
export interface FillCash {
  /** p', slippage included. */
  readonly price: number;
  /** |s| p'. */
  readonly value: number;
  /** Commission and fixed fee. */
  readonly fee: number;
  /** s p' + f: the cash the fill takes (negative: the cash a sale brings). */
  readonly cashOut: number;
}

/** A purchase or sale as the allocator counts it. */
export interface TradeCash {
  /** s p, at the reference price. */
  readonly value: number;
  /** Slippage, commission and fixed fee. */
  readonly cost: number;
  /** Cash paid (value + cost) for a purchase, received (value - cost) for a sale. */
  readonly total: number;
}

const NO_TRADE: TradeCash = { value: 0, cost: 0, total: 0 };

/**
 * @example const cost = new TransactionCost({ bps: 5, slippageBps: 5, fixedFee: 0 });
 * cost.fill(10, 100).cashOut // 1001.00025 (10 x 100.05 + a fee of 0.50025)
 * cost.linear // 0.001
 */
export class TransactionCost {
  readonly model: CostModel;
  /** Cash paid per unit of value bought at the reference price, (1 + sigma)(1 + beta). */
  readonly buyRate: number;
  /** Cash received per unit of value sold at the reference price, (1 - sigma)(1 - beta). */
  readonly sellRate: number;
  /** kappa: the optimiser's cost per unit of weight traded. */
  readonly linear: number;
  readonly #sigma: number;
  readonly #beta: number;

  constructor(model: CostModel) {
    this.model = model;
    this.#sigma = model.slippageBps / 1e4;
    this.#beta = model.bps / 1e4;
    this.buyRate = (1 + this.#sigma) * (1 + this.#beta);
    this.sellRate = (1 - this.#sigma) * (1 - this.#beta);
    this.linear = (model.bps + model.slippageBps) / 1e4;
  }

  get fixedFee(): number {
    return this.model.fixedFee;
  }

  /** True when trading costs nothing. */
  get free(): boolean {
    return this.model.bps === 0 && this.model.slippageBps === 0 && this.model.fixedFee === 0;
  }

  /** The simulator's fill of `shares` (signed, not 0) at reference `price`. */
  fill(shares: number, price: number): FillCash {
    const executed = price * (1 + Math.sign(shares) * this.#sigma);
    const value = Math.abs(shares) * executed;
    const fee = (value * this.model.bps) / 1e4 + this.model.fixedFee;
    return { price: executed, value, fee, cashOut: shares * executed + fee };
  }

  /** Cash one share bought at `price` takes in the simulator, before the fixed fee: p (1 + sigma)(1 + beta). */
  shareBuyCash(price: number): number {
    return price * (1 + this.#sigma) * (1 + this.#beta);
  }

  /** Buying `shares` (>= 0) at `price`, as the allocator counts it. */
  buy(shares: number, price: number): TradeCash {
    if (shares === 0) return NO_TRADE;
    const value = shares * price;
    const cost = value * (this.buyRate - 1) + this.model.fixedFee;
    return { value, cost, total: value + cost };
  }

  /** Selling `shares` (>= 0) at `price`, as the allocator counts it. */
  sell(shares: number, price: number): TradeCash {
    if (shares === 0) return NO_TRADE;
    const value = shares * price;
    const cost = value * (1 - this.sellRate) + this.model.fixedFee;
    return { value, cost, total: value - cost };
  }
}

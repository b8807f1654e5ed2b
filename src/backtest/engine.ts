/**
 * The backtest engine: targets at signal bars -> orders -> fills -> positions, cash, equity, trades.
 * Pure and synchronous over typed arrays. The execution semantics (DESIGN.md), bar by bar:
 *
 * 1. Orders from the signal at bar t - 1 fill at bar t's open (`fill: 'next-open'`, the default) or
 *    close (`'next-close'`). Reducing orders (sells of longs, buys of shorts) go first, then the
 *    increasing ones, each group in symbol order, so sales fund purchases. An order whose symbol
 *    has no price that bar (its market was closed) waits for its next bar, unless a new signal
 *    replaces it; an order from the last bar never fills.
 * 2. Costs (transaction-cost.ts): fill price moved against the trade by `slippageBps`, plus `bps`
 *    of traded value plus `fixedFee` per order, paid from cash.
 * 3. Cash never goes below zero unless `maxLeverage` > 1 (then down to -(maxLeverage - 1) x equity):
 *    a purchase that does not fit is cut to what fits (whole shares when `wholeShares`), or
 *    rejected when nothing fits. Shorts need `allowShort`.
 * 4. Positions are marked at bar t's close (the last known close when a symbol has none that bar).
 * 5. At a rebalance bar t, each symbol with a target gets an order: shares mode `target - position`;
 *    weights mode `(w x equity_t - position x close_t) / close_t`, with equity and prices at t's
 *    close; whole shares round the magnitude down (as backtrader's order_target_value). A zero
 *    target closes the whole position (no floating-point leftover share).
 *
 * Trades are round trips of one symbol from flat back to flat (backtrader's TradeAnalyzer):
 * resizing stays inside the trade; P&L is realised against the average entry price.
 */
import type { TargetSchedule } from '../strategies/strategy.js';
import { withLazy } from '../util/lazy-property.js';
import { NO_COSTS, TransactionCost, type CostModel } from './transaction-cost.js';

export interface EngineOptions {
  readonly initialCash: number;
  readonly fill: 'next-open' | 'next-close';
  readonly costs: CostModel;
  readonly wholeShares: boolean;
  readonly allowShort: boolean;
  /** Gross exposure the cash check allows, as a multiple of equity (1: no borrowing). */
  readonly maxLeverage: number;
}

export const DEFAULT_ENGINE_OPTIONS: EngineOptions = {
  initialCash: 1_000_000,
  fill: 'next-open',
  costs: NO_COSTS,
  wholeShares: false,
  allowShort: false,
  maxLeverage: 1,
};

export interface EngineInput {
  readonly dates: Float64Array;
  readonly symbols: readonly string[];
  /** Fill prices at the open, per symbol (adjusted opens for real data). */
  readonly open: readonly Float64Array[];
  /** Marking and sizing prices, per symbol (adjusted closes for real data). */
  readonly close: readonly Float64Array[];
  readonly schedule: TargetSchedule;
  /** `open` and `close` as bar-major rows (priceRows), when the caller keeps them across runs (a sweep); built otherwise. */
  readonly rows?: PriceRows;
}

/**
 * Prices laid out bar by bar (`close[t * N + j]`): a rebalance reads every symbol's price at one
 * bar, which per-symbol columns scatter over memory (a cache miss each).
 */
export interface PriceRows {
  readonly open: Float64Array;
  readonly close: Float64Array;
}

/** @example const rows = priceRows(panel.values.adj_open, panel.values.adj_close) */
export function priceRows(open: readonly Float64Array[], close: readonly Float64Array[]): PriceRows {
  return { open: barMajor(open), close: barMajor(close) };
}

function barMajor(columns: readonly Float64Array[]): Float64Array {
  const n = columns.length;
  const bars = n > 0 ? columns[0]!.length : 0;
  const rows = new Float64Array(bars * n);
  for (let j = 0; j < n; j++) {
    const column = columns[j]!;
    for (let t = 0; t < bars; t++) rows[t * n + j] = column[t]!;
  }
  return rows;
}

export interface Fill {
  readonly bar: number;
  readonly symbol: number;
  /** Signed: positive bought, negative sold. */
  readonly shares: number;
  /** Price paid or received per share, slippage included. */
  readonly price: number;
  /** Commission and fixed fee. */
  readonly fee: number;
}

export interface Trade {
  readonly symbol: number;
  readonly entryBar: number;
  /** Bar of the fill that closed it; -1 while open. */
  readonly exitBar: number;
  /** 1 long, -1 short. */
  readonly direction: 1 | -1;
  /** Largest absolute position held during the trade. */
  readonly maxShares: number;
  readonly entryPrice: number;
  readonly exitPrice: number;
  /** Realised P&L before fees; for an open trade, marked at the last close. */
  readonly pnl: number;
  readonly fees: number;
  readonly pnlNet: number;
}

export interface EngineCounters {
  readonly orders: number;
  readonly filled: number;
  /** Cut down to what cash allowed. */
  readonly clipped: number;
  /** Nothing fitted the cash (or shorting not allowed). */
  readonly rejected: number;
  /** Bars orders waited because their symbol had no fill price (counted once a bar). */
  readonly delayed: number;
  /** Still waiting for a fill price when the data ended. */
  readonly unfilled: number;
  /** Signalled on the last bar. */
  readonly expired: number;
  /** No close at the signal bar to size the order with. */
  readonly unpriced: number;
}

export interface EngineResult {
  /** Portfolio value at each bar's close. */
  readonly equity: Float64Array;
  readonly cash: Float64Array;
  /** Sum of |position x close| at each bar's close. */
  readonly grossExposure: Float64Array;
  /** Traded value (sum of |shares x price|) at each bar. */
  readonly traded: Float64Array;
  /** Built on first read (a sweep never reads them): thousands of objects a run. */
  readonly fills: readonly Fill[];
  readonly trades: readonly Trade[];
  readonly openTrades: readonly Trade[];
  /** Final positions in shares, per symbol. */
  readonly positions: Float64Array;
  readonly counters: EngineCounters;
}

/** @example const result = runEngine({ dates, symbols, open, close, schedule }, { ...DEFAULT_ENGINE_OPTIONS, wholeShares: true }) */
export function runEngine(input: EngineInput, options: EngineOptions = DEFAULT_ENGINE_OPTIONS): EngineResult {
  const bars = input.dates.length;
  const n = input.symbols.length;
  const { targets, rebalance, kind } = input.schedule;
  const book = new Book(n, options);
  const equity = new Float64Array(bars);
  const cash = new Float64Array(bars);
  const gross = new Float64Array(bars);
  const traded = new Float64Array(bars);
  // The last close of each held symbol (the others' are not needed until they are bought).
  const lastClose = new Float64Array(n).fill(Number.NaN);
  const pending = new Float64Array(n);
  let hasPending = false;
  const { open, close: closes } = input.rows ?? priceRows(input.open, input.close);
  const fillPrices = options.fill === 'next-open' ? open : closes;

  for (let t = 0; t < bars; t++) {
    if (hasPending) {
      // The leverage check uses equity at the previous close (lastClose still holds bar t - 1's).
      traded[t] = book.fillOrders(pending, fillPrices, t, book.cash + book.positionValue(lastClose));
      hasPending = false;
      for (let j = 0; j < n && !hasPending; j++) hasPending = pending[j] !== 0;
      book.updateHeld((j) => (lastClose[j] = lastCloseBefore(closes, n, j, t)));
    }
    // Marking visits the held symbols only (a sweep's portfolios hold a few of many), in symbol
    // order; one pass sums their value as positionValue does and their gross exposure.
    let exposure = 0;
    let held = 0;
    const { heldCount, held: heldSymbols, position: positions } = book;
    const row = t * n;
    for (let h = 0; h < heldCount; h++) {
      const j = heldSymbols[h]!;
      const c = closes[row + j]!;
      if (!Number.isNaN(c)) lastClose[j] = c;
      const marked = positions[j]! * lastClose[j]!;
      held += marked;
      exposure += Math.abs(marked);
    }
    const value = book.cash + held;
    equity[t] = value;
    cash[t] = book.cash;
    gross[t] = exposure;

    if (!rebalance[t]) continue;
    for (let j = 0; j < n; j++) {
      const target = targets[t * n + j]!;
      if (Number.isNaN(target)) continue;
      const close = closes[t * n + j]!;
      const position = book.position[j]!;
      let order: number;
      if (kind === 'shares' || target === 0) {
        order = target - position; // a zero target closes exactly
        if (options.wholeShares) order = Math.trunc(order);
      } else {
        if (!(close > 0)) {
          if (target !== 0 || position !== 0) book.counters.unpriced++;
          continue;
        }
        const valueChange = target * value - position * close;
        order = options.wholeShares ? Math.sign(valueChange) * floorDivide(Math.abs(valueChange), close) : valueChange / close;
      }
      if (order === 0 || !Number.isFinite(order)) continue;
      book.counters.orders++;
      if (t === bars - 1) {
        book.counters.expired++;
        continue;
      }
      pending[j] = order;
      hasPending = true;
    }
  }
  if (hasPending) book.counters.unfilled += pending.filter((order) => order !== 0).length;
  const result = {
    equity,
    cash,
    grossExposure: gross,
    traded,
    trades: book.trades,
    openTrades: book.openTrades(lastClose),
    positions: Float64Array.from(book.position),
    counters: { ...book.counters },
  };
  return withLazy(result, 'fills', () => book.fills.records());
}

/**
 * floor(a / b) of the exact quotient, as Python's float `//` computes it (CPython float_floor_div),
 * which backtrader's order sizing uses: rounding a / b first can land on the next integer.
 */
export function floorDivide(a: number, b: number): number {
  const mod = a % b;
  let quotient = (a - mod) / b;
  if (mod !== 0 && b < 0 !== mod < 0) quotient -= 1;
  let floor = Math.floor(quotient);
  if (quotient - floor > 0.5) floor += 1;
  return floor;
}

/** The last non-NaN close of symbol j before bar t (NaN if none), from bar-major rows of n symbols. */
function lastCloseBefore(rows: Float64Array, n: number, j: number, t: number): number {
  for (let i = t - 1; i >= 0; i--) if (!Number.isNaN(rows[i * n + j]!)) return rows[i * n + j]!;
  return Number.NaN;
}

/** Fills as columns of numbers, turned into Fill objects when read (records). */
class FillLog {
  private columns = new Float64Array(5 * 1024);
  private count = 0;

  add(bar: number, symbol: number, shares: number, price: number, fee: number): void {
    if (5 * (this.count + 1) > this.columns.length) {
      const grown = new Float64Array(this.columns.length * 2);
      grown.set(this.columns);
      this.columns = grown;
    }
    const at = 5 * this.count++;
    this.columns[at] = bar;
    this.columns[at + 1] = symbol;
    this.columns[at + 2] = shares;
    this.columns[at + 3] = price;
    this.columns[at + 4] = fee;
  }

  records(): Fill[] {
    const c = this.columns;
    return Array.from({ length: this.count }, (_, i) => ({
      bar: c[5 * i]!,
      symbol: c[5 * i + 1]!,
      shares: c[5 * i + 2]!,
      price: c[5 * i + 3]!,
      fee: c[5 * i + 4]!,
    }));
  }
}

/** Positions, cash and the trade ledger. */
class Book {
  cash: number;
  readonly position: Float64Array;
  /** Symbols with a non-zero position, ascending: held[0 .. heldCount - 1]. */
  readonly held: Int32Array;
  heldCount = 0;
  private readonly isHeld: Uint8Array;
  readonly fills = new FillLog();
  readonly trades: Trade[] = [];
  readonly counters = { orders: 0, filled: 0, clipped: 0, rejected: 0, delayed: 0, unfilled: 0, expired: 0, unpriced: 0 };
  private readonly cost: TransactionCost;
  // The open trade of each symbol.
  private readonly entryBar: Int32Array;
  private readonly direction: Int8Array;
  private readonly avgPrice: Float64Array;
  private readonly realised: Float64Array;
  private readonly fees: Float64Array;
  private readonly maxShares: Float64Array;
  private readonly exitValue: Float64Array;
  private readonly exitShares: Float64Array;

  constructor(
    private readonly n: number,
    private readonly options: EngineOptions,
  ) {
    this.cash = options.initialCash;
    this.cost = new TransactionCost(options.costs);
    this.position = new Float64Array(n);
    this.held = new Int32Array(n);
    this.isHeld = new Uint8Array(n);
    this.entryBar = new Int32Array(n).fill(-1);
    this.direction = new Int8Array(n);
    this.avgPrice = new Float64Array(n);
    this.realised = new Float64Array(n);
    this.fees = new Float64Array(n);
    this.maxShares = new Float64Array(n);
    this.exitValue = new Float64Array(n);
    this.exitShares = new Float64Array(n);
  }

  /** Sum of position x price over the held symbols, in symbol order. */
  positionValue(prices: Float64Array): number {
    let value = 0;
    for (let h = 0; h < this.heldCount; h++) {
      const j = this.held[h]!;
      value += this.position[j]! * prices[j]!;
    }
    return value;
  }

  /** Lists the symbols with a position after fills, in symbol order; `entered` is called for each newly held one. */
  updateHeld(entered: (j: number) => void): void {
    let count = 0;
    for (let j = 0; j < this.n; j++) {
      if (this.position[j] === 0) {
        this.isHeld[j] = 0;
        continue;
      }
      if (!this.isHeld[j]) {
        this.isHeld[j] = 1;
        entered(j);
      }
      this.held[count++] = j;
    }
    this.heldCount = count;
  }

  /** Fills the pending orders at bar t at `prices` (bar-major rows), reducing ones first; returns the traded value. */
  fillOrders(orders: Float64Array, prices: Float64Array, t: number, equity: number): number {
    let traded = 0;
    for (let pass = 0; pass < 2; pass++) {
      const reducing = pass === 0;
      for (let j = 0; j < this.n; j++) {
        const order = orders[j]!;
        if (order === 0) continue;
        const position = this.position[j]!;
        const isReducing = position !== 0 && Math.sign(order) !== Math.sign(position);
        if (isReducing !== reducing) continue;
        const price = prices[t * this.n + j]!;
        if (!(price > 0)) {
          // No bar for this symbol today (a holiday on its exchange, a gap): it waits for the next one.
          this.counters.delayed++;
          continue;
        }
        orders[j] = 0; // taken: the second pass must not see it again
        const shares = this.affordable(order, position, price, equity);
        if (shares === 0) {
          this.counters.rejected++;
          continue;
        }
        if (shares !== order) this.counters.clipped++;
        traded += this.fill(j, shares, price, t);
      }
    }
    return traded;
  }

  /** The part of an order that shorting rules and cash allow. */
  private affordable(order: number, position: number, price: number, equity: number): number {
    const { wholeShares, allowShort, maxLeverage } = this.options;
    let shares = order;
    if (!allowShort && position + shares < 0) shares = -position;
    if (shares <= 0) return shares;
    const unitCost = this.cost.shareBuyCash(price);
    const budget = this.cash + (maxLeverage - 1) * Math.max(0, equity) - this.cost.fixedFee;
    if (shares * unitCost <= budget) return shares;
    const fit = Math.max(0, budget / unitCost);
    return wholeShares ? Math.floor(fit) : fit;
  }

  /** Executes one fill and updates the trade of its symbol; returns the traded value. */
  private fill(j: number, shares: number, price: number, t: number): number {
    const { price: executed, value, fee, cashOut } = this.cost.fill(shares, price);
    this.cash -= cashOut;
    this.fills.add(t, j, shares, executed, fee);
    this.counters.filled++;

    let remaining = shares;
    let position = this.position[j]!;
    if (position !== 0 && Math.sign(remaining) !== Math.sign(position)) {
      const closing = Math.min(Math.abs(remaining), Math.abs(position)) * Math.sign(remaining);
      this.realised[j] = this.realised[j]! + -closing * (executed - this.avgPrice[j]!);
      this.exitValue[j] = this.exitValue[j]! + Math.abs(closing) * executed;
      this.exitShares[j] = this.exitShares[j]! + Math.abs(closing);
      this.fees[j] = this.fees[j]! + (fee * closing) / shares;
      position += closing;
      remaining -= closing;
      this.position[j] = position;
      if (position === 0) this.closeTrade(j, t);
      if (remaining === 0) return value;
    }
    if (position === 0) {
      this.entryBar[j] = t;
      this.direction[j] = remaining > 0 ? 1 : -1;
      this.avgPrice[j] = executed;
    } else {
      this.avgPrice[j] =
        (this.avgPrice[j]! * Math.abs(position) + executed * Math.abs(remaining)) / (Math.abs(position) + Math.abs(remaining));
    }
    this.fees[j] = this.fees[j]! + (fee * remaining) / shares;
    position += remaining;
    this.position[j] = position;
    this.maxShares[j] = Math.max(this.maxShares[j]!, Math.abs(position));
    return value;
  }

  private closeTrade(j: number, t: number): void {
    this.trades.push(this.tradeOf(j, t, this.realised[j]!, this.exitValue[j]! / this.exitShares[j]!));
    this.entryBar[j] = -1;
    this.realised[j] = 0;
    this.fees[j] = 0;
    this.maxShares[j] = 0;
    this.exitValue[j] = 0;
    this.exitShares[j] = 0;
  }

  private tradeOf(j: number, exitBar: number, pnl: number, exitPrice: number): Trade {
    const fees = this.fees[j]!;
    return {
      symbol: j,
      entryBar: this.entryBar[j]!,
      exitBar,
      direction: this.direction[j]! < 0 ? -1 : 1,
      maxShares: this.maxShares[j]!,
      entryPrice: this.avgPrice[j]!,
      exitPrice,
      pnl,
      fees,
      pnlNet: pnl - fees,
    };
  }

  /** Trades still open, marked at the last close (unrealised P&L included). */
  openTrades(lastClose: Float64Array): Trade[] {
    const open: Trade[] = [];
    for (let j = 0; j < this.n; j++) {
      const position = this.position[j]!;
      if (position === 0) continue;
      const unrealised = position * (lastClose[j]! - this.avgPrice[j]!);
      open.push(this.tradeOf(j, -1, this.realised[j]! + unrealised, lastClose[j]!));
    }
    return open;
  }
}

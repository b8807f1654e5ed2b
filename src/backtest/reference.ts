/**
 * The reference cases of ../shared/reference (produced by backtrader 1.9.78) as runnable rules:
 * `momentum reference sma-cross|momentum-xs FOLDER` reads a folder of CSVs in that layout and
 * reports with the field names of the case's expected.json. Raw open and close are used as they
 * are (the cases have adj_close = close), whole shares, zero costs.
 */
import { formatBarTime } from '../data/bar.js';
import { loadCsvPanel } from '../data/csv-panel.js';
import type { Panel } from '../data/panel.js';
import { DataError } from '../errors.js';
import { rebalanceMask } from '../strategies/schedule.js';
import { crossovers } from '../strategies/sma-cross.js';
import { emptyTargets, type TargetSchedule } from '../strategies/strategy.js';
import { xsMomentum } from '../strategies/xs-momentum.js';
import { drawdownStats } from './drawdown.js';
import { DEFAULT_ENGINE_OPTIONS, runEngine, type EngineResult, type Trade } from './engine.js';

export type ReferencePanel = Panel<'open' | 'close' | 'adj_close'>;

/** Reads a reference data folder (one CSV per symbol); every row must be valid. */
export async function readReferencePanel(folder: string): Promise<ReferencePanel> {
  const { panel, rejected } = await loadCsvPanel({ path: folder, fields: ['open', 'close', 'adj_close'] });
  if (rejected.length > 0) {
    const first = rejected[0]!;
    throw new DataError(`${folder}: ${rejected.length} invalid row(s), e.g. ${first.symbol} line ${first.line}: ${first.reason}`);
  }
  return panel;
}

interface TradeTally {
  closed_trades: number;
  won: number;
  lost: number;
  won_ta: number;
  lost_ta: number;
  zero_pnl_trades: number;
  total_pnl: number;
}

function tally(trades: readonly Trade[]): TradeTally {
  return {
    closed_trades: trades.length,
    won: trades.filter((t) => t.pnl > 0).length,
    lost: trades.filter((t) => t.pnl <= 0).length,
    won_ta: trades.filter((t) => t.pnl >= 0).length,
    lost_ta: trades.filter((t) => t.pnl < 0).length,
    zero_pnl_trades: trades.filter((t) => t.pnl === 0).length,
    total_pnl: trades.reduce((sum, t) => sum + t.pnl, 0),
  };
}

export interface SmaCrossReferenceOptions {
  readonly fast: number;
  readonly slow: number;
  readonly size: number;
  readonly cash: number;
}

/**
 * Per symbol: buy `size` shares at an up-cross of SMA(fast) over SMA(slow) while flat, close at a
 * down-cross; fills at the next bar's open.
 */
export function smaCrossReference(panel: ReferencePanel, options: Partial<SmaCrossReferenceOptions> = {}) {
  const { fast, slow, size, cash } = { fast: 20, slow: 100, size: 100, cash: 1e9, ...options };
  const n = panel.symbols.length;
  const bars = panel.dates.length;
  const targets = emptyTargets(bars, n);
  const rebalance = new Uint8Array(bars);
  panel.values.close.forEach((close, j) => {
    const signal = crossovers(close, fast, slow);
    for (let t = 0; t < bars; t++) {
      if (signal[t] === 0) continue;
      targets[t * n + j] = signal[t]! > 0 ? size : 0;
      rebalance[t] = 1;
    }
  });
  const result = run(panel, { kind: 'shares', targets, rebalance }, cash);
  const day = (bar: number) => formatBarTime(panel.dates[bar]!, '1d');
  const perSymbol = Object.fromEntries(
    panel.symbols.map((symbol, j) => {
      const trades = result.trades.filter((t) => t.symbol === j);
      return [
        symbol,
        {
          ...tally(trades),
          open_at_end: result.openTrades.filter((t) => t.symbol === j).length,
          trades: trades.map((t) => ({ open: day(t.entryBar), close: day(t.exitBar), entry: t.entryPrice, exit: t.exitPrice, pnl: t.pnl })),
        },
      ];
    }),
  );
  const totals = tally(result.trades);
  const summary = {
    symbols: n,
    bars_per_symbol: bars,
    total_bars: n * bars,
    ...totals,
    open_at_end: result.openTrades.length,
    final_value: result.equity[bars - 1]!,
    final_cash: result.cash[bars - 1]!,
    // backtrader calls next() first on the 101st bar (1-based count), index `slow`.
    first_next_bar: [slow + 1, day(slow)] as const,
    rejected_orders: result.counters.rejected + result.counters.unfilled,
    tally_mismatches: tallyMismatches(totals, Object.values(perSymbol)),
  };
  return { summary, per_symbol: perSymbol };
}

/** Checks that the per-symbol tallies add up to the totals; lists what does not. */
function tallyMismatches(totals: TradeTally, perSymbol: readonly TradeTally[]): string[] {
  const keys = ['closed_trades', 'won', 'lost', 'won_ta', 'lost_ta', 'zero_pnl_trades'] as const;
  const mismatches = keys
    .filter((k) => perSymbol.reduce((sum, s) => sum + s[k], 0) !== totals[k])
    .map((k) => `${k}: per-symbol sum differs`);
  if (totals.won + totals.lost !== totals.closed_trades) mismatches.push('won + lost != closed_trades');
  return mismatches;
}

export interface MomentumXsReferenceOptions {
  readonly lookback: number;
  readonly skip: number;
  readonly topPct: number;
  readonly targetScale: number;
  readonly cash: number;
}

/**
 * Month-end 12-1 cross-sectional momentum: hold the top 20% equally at `targetScale` of portfolio
 * value, whole shares sized at the signal close, reducing orders first, fills at the next open.
 */
export function momentumXsReference(panel: ReferencePanel, options: Partial<MomentumXsReferenceOptions> = {}) {
  const { lookback, skip, topPct, targetScale, cash } = { lookback: 252, skip: 21, topPct: 20, targetScale: 0.99, cash: 1e6, ...options };
  const strategyPanel = { ...panel, values: { adj_close: panel.values.close } };
  const schedule = xsMomentum.targets(strategyPanel, {
    lookback,
    skip,
    topPct,
    targetScale,
    longShort: false,
    rebalance: 'month-end',
    every: 21,
  });
  const result = run(panel, schedule, cash);
  const n = panel.symbols.length;
  const bars = panel.dates.length;
  const day = (bar: number) => formatBarTime(panel.dates[bar]!, '1d');
  const selections: [string, string[]][] = [];
  const mask = rebalanceMask(panel.dates, '1d', { rebalance: 'month-end', every: 21 });
  for (let t = 0; t < bars; t++) {
    if (!mask[t] || Number.isNaN(schedule.targets[t * n]!)) continue;
    const held = panel.symbols
      .map((symbol, j) => ({ symbol, j, score: schedule.scores![t * n + j]!, weight: schedule.targets[t * n + j]! }))
      .filter((s) => s.weight > 0)
      .sort((a, b) => b.score - a.score || (a.symbol < b.symbol ? -1 : 1))
      .map((s) => s.symbol);
    selections.push([day(t), held]);
  }
  const drawdown = drawdownStats(result.equity, cash);
  const totals = tally(result.trades);
  const finalValue = result.equity[bars - 1]!;
  return {
    symbols: n,
    bars_per_symbol: bars,
    total_bars: n * bars,
    top_k: selections[0]?.[1].length ?? 0,
    start_cash: cash,
    final_value: finalValue,
    total_return_pct: (finalValue / cash - 1) * 100,
    max_drawdown_pct: drawdown.maxDepth * 100,
    max_moneydown: drawdown.maxMoneydown,
    max_drawdown_len: drawdown.maxLength,
    trades_total: result.trades.length + result.openTrades.length,
    trades_closed: result.trades.length,
    trades_open_at_end: result.openTrades.length,
    won: totals.won,
    lost: totals.lost,
    won_ta: totals.won_ta,
    lost_ta: totals.lost_ta,
    closed_pnl: totals.total_pnl,
    closed_pnl_own: closedCashFlow(result),
    rebalances: selections.length,
    first_rebalance: selections[0] ?? null,
    last_rebalance: selections[selections.length - 1] ?? null,
    order_status_counts: orderStatusCounts(result),
  };
}

/** Closed trades' P&L recomputed from cash flows (sales minus purchases), a check on the ledger. */
function closedCashFlow(result: EngineResult): number {
  let total = 0;
  for (const trade of result.trades) {
    for (const fill of result.fills) {
      if (fill.symbol === trade.symbol && fill.bar >= trade.entryBar && fill.bar <= trade.exitBar) total -= fill.shares * fill.price;
    }
  }
  return total;
}

function orderStatusCounts(result: EngineResult): Record<string, number> {
  const counts: Record<string, number> = { Completed: result.counters.filled };
  if (result.counters.rejected > 0) counts.Margin = result.counters.rejected;
  if (result.counters.unfilled > 0) counts.Canceled = result.counters.unfilled;
  return counts;
}

function run(panel: ReferencePanel, schedule: TargetSchedule, cash: number): EngineResult {
  return runEngine(
    { dates: panel.dates, symbols: panel.symbols, open: panel.values.open, close: panel.values.close, schedule },
    { ...DEFAULT_ENGINE_OPTIONS, initialCash: cash, wholeShares: true },
  );
}

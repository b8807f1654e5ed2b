/** Terminal text for portfolios: holdings with reasons, previous vs new weights, history, SIP backtests. */
import { describeEvidence, type Evidence } from '../portfolio/evidence.js';
import type { PortfolioProposal } from '../portfolio/generate.js';
import type { RebalanceResult } from '../portfolio/model-portfolio.js';
import type { OrderRecord, StoredPortfolio, StoredRebalance } from '../portfolio/portfolio-store.js';
import type { PlanOutcome, SipBacktestResult } from '../portfolio/sip-backtest.js';
import { formatNumber, formatPercent, formatShares, formatSignedPercent } from '../report/report-format.js';
import { formatTable } from '../util/table.js';

const money = (x: number) => formatNumber(x, 2);
/** Portfolio weights to 1 decimal (a weight's tenth of a percent is below a lot's worth). */
const pct = (x: number | null | undefined, digits = 1) => formatPercent(x, digits);

function evidenceLines(evidence: Evidence, warnings: readonly string[]): string[] {
  const lines = [`evidence: ${describeEvidence(evidence)}`];
  if (evidence.note) lines.unshift(`WARNING: ${evidence.note}`);
  for (const warning of warnings) if (warning !== evidence.note) lines.push(`warning: ${warning}`);
  return lines;
}

export function formatProposal(p: PortfolioProposal): string {
  const rows = p.holdings.map((h) => ({
    symbol: h.symbol,
    name: h.name ?? '',
    class: h.assetClass ?? '',
    target: pct(h.targetWeight),
    weight: pct(h.weight),
    shares: formatShares(h.shares, p.request.lotSize),
    price: money(h.price),
    value: money(h.value),
    reason: h.reason,
  }));
  const lines = [
    `${p.strategy.name} on ${p.spec.universe ?? p.spec.symbols.join(', ')} (${p.spec.interval}) as of ${p.asOf}: data to ${p.dataAsOf} (${p.dataAgeDays} days old), weights from the signal of ${p.signalDate}`,
    `${p.mode === 'sip' ? 'SIP, first installment' : 'lump sum'} ${money(p.amount)} ${p.currency}`,
    '',
    rows.length > 0
      ? formatTable(rows, ['symbol', 'name', 'class', 'target', 'weight', 'shares', 'price', 'value', 'reason'])
      : (p.note ?? 'no holdings'),
    '',
    `invested ${money(p.invested)}, costs ${money(p.costs)}, cash left ${money(p.cash)} (${pct(p.cash / p.amount)}); tracking error ${formatNumber(p.trackingError, 4)} (naive flooring ${formatNumber(p.floorTrackingError, 4)})`,
    `hold until ${p.holdingPeriod.until ?? 'the next rebalance'} (the strategy's next rebalance); early exit: ${p.holdingPeriod.exitRule}`,
    ...evidenceLines(p.evidence, p.note ? [...p.warnings, p.note] : p.warnings),
  ];
  if (p.schedule) {
    const shown = p.schedule.map((s) => `${s.date} ${money(s.amount)}`).join(', ');
    lines.push(`SIP schedule${p.request.sip?.count === null ? ' (open-ended; the first 12)' : ''}: ${shown}`);
  }
  return lines.join('\n');
}

export function formatStored(portfolio: StoredPortfolio, latest: StoredRebalance, amount?: number): string {
  const scale = amount === undefined ? 1 : amount / latest.value;
  const lot = portfolio.request.lotSize;
  const rows = latest.holdings.map((h) => {
    // Scaled to another amount: rounded down to whole lots, as the portfolio trades.
    const shares = amount === undefined ? h.shares : Math.floor((h.shares * scale) / lot) * lot;
    return {
      symbol: h.symbol,
      target: pct(h.targetWeight),
      weight: pct(h.weight),
      shares: formatShares(shares, lot),
      price: money(h.price),
      value: money(amount === undefined ? h.value : shares * h.price),
      reason: h.reason,
    };
  });
  return [
    `${portfolio.name}: ${portfolio.request.strategy} on ${portfolio.request.universe ?? portfolio.request.symbols?.join(', ')} (${portfolio.request.mode}, ${portfolio.request.currency})`,
    `last rebalance ${latest.asOf} (signal of ${latest.signalDate}, data to ${latest.dataAsOf}); value ${money(latest.value)}, cash ${money(latest.cash)}${amount === undefined ? '' : `; scaled to ${money(amount)} (${lot === 1 ? 'whole shares' : `whole lots of ${formatShares(lot, lot)} shares`} rounded down)`}`,
    '',
    rows.length > 0 ? formatTable(rows, ['symbol', 'target', 'weight', 'shares', 'price', 'value', 'reason']) : 'all cash',
    '',
    `hold until ${latest.nextRebalance ?? 'the next rebalance'}`,
    ...evidenceLines(latest.evidence, latest.warnings),
  ].join('\n');
}

function ordersTable(orders: readonly OrderRecord[], lot: number): string {
  if (orders.length === 0) return 'no trades';
  return formatTable(
    orders.map((o) => ({
      side: o.side,
      symbol: o.symbol,
      shares: formatShares(o.shares, lot),
      price: money(o.price),
      value: money(o.value),
      cost: money(o.cost),
    })),
    ['side', 'symbol', 'shares', 'price', 'value', 'cost'],
  );
}

export function formatRebalance(r: RebalanceResult): string {
  const { previous, rebalance } = r;
  if (r.alreadyDone) {
    return `${r.portfolio.name} was already rebalanced as of ${rebalance.asOf}: nothing new (momentum portfolio history '${r.portfolio.name}' shows it)`;
  }
  const symbols = [...new Set([...previous.holdings.map((h) => h.symbol), ...rebalance.holdings.map((h) => h.symbol)])];
  const before = new Map(previous.holdings.map((h) => [h.symbol, h]));
  const after = new Map(rebalance.holdings.map((h) => [h.symbol, h]));
  // Shares held just before trading: the previous ones through the splits and dividends since.
  const held = new Map(r.trades?.holdings.map((h) => [h.symbol, h.previousShares]) ?? []);
  const lot = r.portfolio.request.lotSize;
  const weight = (symbol: string) => after.get(symbol)?.weight ?? 0;
  const rows = [...symbols]
    .sort((a, b) => weight(b) - weight(a) || a.localeCompare(b))
    .map((symbol) => {
      const was = before.get(symbol)?.weight ?? 0;
      const now = weight(symbol);
      return {
        symbol,
        previous: pct(was),
        new_target: pct(after.get(symbol)?.targetWeight ?? 0),
        new_weight: pct(now),
        change: formatSignedPercent(now - was, 1),
        shares: `${formatShares(held.get(symbol) ?? before.get(symbol)?.shares ?? 0, lot)} -> ${formatShares(after.get(symbol)?.shares ?? 0, lot)}`,
        reason: after.get(symbol)?.reason ?? 'sold',
      };
    });
  return [
    `${r.portfolio.name}: rebalance as of ${rebalance.asOf} (${r.mode}${r.rebalanceId === null ? ', dry run: not stored' : `, stored as ${r.rebalanceId}`}); previous ${previous.asOf}, signal ${previous.signalDate} -> ${rebalance.signalDate}`,
    rebalance.contribution > 0 ? `new money: ${money(rebalance.contribution)}` : '',
    ...(r.corporateActions.length > 0
      ? ['', 'corporate actions since the previous rebalance:', ...r.corporateActions.map((e) => `  ${e.symbol} ${e.exDate}: ${e.note}`)]
      : []),
    '',
    formatTable(rows, ['symbol', 'previous', 'new_target', 'new_weight', 'change', 'shares', 'reason']),
    '',
    'orders (sells first):',
    ordersTable(rebalance.orders, lot),
    '',
    `value ${money(rebalance.value)}, cash ${money(rebalance.cash)}, turnover ${pct(rebalance.turnover)}, costs ${money(rebalance.costs)}; hold until ${rebalance.nextRebalance ?? 'the next rebalance'}`,
    ...evidenceLines(rebalance.evidence, rebalance.warnings),
  ]
    .filter((line, i, all) => line !== '' || all[i - 1] !== '')
    .join('\n');
}

export function formatHistory(portfolio: StoredPortfolio, history: readonly StoredRebalance[]): string {
  const rows = [...history].reverse().map((r) => ({
    as_of: r.asOf,
    signal: r.signalDate,
    added: money(r.contribution),
    value: money(r.value),
    cash: money(r.cash),
    turnover: pct(r.turnover),
    costs: money(r.costs),
    orders: r.orders.length,
    holdings: r.holdings
      .filter((h) => h.shares > 0)
      .map((h) => `${h.symbol} ${pct(h.weight, 0)}`)
      .join(' '),
  }));
  return `${portfolio.name}: ${history.length} rebalance(s)\n${formatTable(rows, ['as_of', 'signal', 'added', 'value', 'cash', 'turnover', 'costs', 'orders', 'holdings'])}`;
}

export function formatSipBacktest(r: SipBacktestResult): string {
  const row = (plan: string, o: PlanOutcome) => ({
    plan,
    invested: money(r.totalInvested),
    final_value: money(o.finalValue),
    xirr: pct(o.xirr, 2),
    twr: pct(o.twr, 2),
    twr_annual: pct(o.twrAnnualised, 2),
    costs: money(o.costs),
  });
  return [
    `${r.strategy} on ${r.symbols.join(', ')}: ${r.installments} installments from ${r.dates[0]} to ${r.dates[r.dates.length - 1]}`,
    formatTable([row('SIP', r.sip), row('lump sum', r.lumpSum)], ['plan', 'invested', 'final_value', 'xirr', 'twr', 'twr_annual', 'costs']),
    ...r.notes.map((n) => `note: ${n}`),
  ].join('\n');
}

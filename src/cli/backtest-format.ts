/** Readable text for backtest results in the terminal. */
import type { BacktestMetrics } from '../backtest/metrics.js';
import { comparisonRows, metricsRows } from '../report/metrics-rows.js';

export function formatParams(params: Record<string, unknown>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}

/** Aligned "label  value" lines of the figures a researcher reads first, then the benchmark side by side. */
export function formatMetrics(m: BacktestMetrics): string {
  const rows = metricsRows(m);
  const width = Math.max(...rows.map((r) => r.label.length));
  const lines = rows.map((r) => `  ${r.label.padEnd(width)}  ${r.value}`);
  const comparison = comparisonRows(m);
  if (comparison.length === 0) return lines.join('\n');
  const heads = ['strategy', `buy-and-hold ${m.benchmark!.symbol}`];
  const left = Math.max(...comparison.map((r) => r.strategy.length), heads[0]!.length);
  const line = (label: string, a: string, b: string) => `  ${label.padEnd(width)}  ${a.padStart(left)}  ${b.padStart(heads[1]!.length)}`;
  return [...lines, '', line('', heads[0]!, heads[1]!), ...comparison.map((r) => line(r.label, r.strategy, r.benchmark))].join('\n');
}

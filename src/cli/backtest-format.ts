/** Readable text for backtest results in the terminal. */
import type { BacktestMetrics } from '../backtest/metrics.js';
import { metricsRows } from '../report/metrics-rows.js';

export function formatParams(params: Record<string, unknown>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}

/** Aligned "label  value" lines of the figures a researcher reads first. */
export function formatMetrics(m: BacktestMetrics): string {
  const rows = metricsRows(m);
  const width = Math.max(...rows.map((r) => r.label.length));
  return rows.map((r) => `  ${r.label.padEnd(width)}  ${r.value}`).join('\n');
}

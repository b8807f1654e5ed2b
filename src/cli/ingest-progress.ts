/**
 * Shows ingest progress: a progress bar on a terminal, one plain line per symbol otherwise
 * (logs, cron, CI). Lines go to stderr so stdout keeps only the result.
 */
import cliProgress from 'cli-progress';
import { formatBarTime, type Interval } from '../data/bar.js';
import type { IngestProgress } from '../data/ingest.js';
import type { SymbolOutcome } from '../data/ingest-run-store.js';
import type { Output } from './cli-context.js';

export function describeOutcome(outcome: SymbolOutcome, interval: Interval): string {
  if (outcome.status === 'failed') return `${outcome.symbol}: FAILED: ${outcome.error}`;
  const range =
    outcome.first === undefined ? 'no new bars' : `${formatBarTime(outcome.first, interval)}..${formatBarTime(outcome.last!, interval)}`;
  const parts = [
    `${outcome.fetched} fetched`,
    `${outcome.inserted} new`,
    `${outcome.updated} updated`,
    `${outcome.unchanged} unchanged`,
    `${outcome.rejected.length} rejected`,
    `${outcome.flagged.length} flagged`,
  ];
  return `${outcome.symbol}: ${range}: ${parts.join(', ')}`;
}

export function ingestProgressReporter(output: Output, interval: Interval): (event: IngestProgress) => void {
  if (!output.isTTY) {
    return (event) => {
      if (event.type === 'start') output.err(`ingest run ${event.runId}: ${event.total} symbol(s)`);
      else output.err(`[${event.done}/${event.total}] ${describeOutcome(event.outcome, interval)}`);
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: 'ingest {bar} {value}/{total} symbols | {symbol}', stream: process.stderr, clearOnComplete: false, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  return (event) => {
    if (event.type === 'start') {
      bar.start(event.total, 0, { symbol: '' });
      return;
    }
    bar.update(event.done, { symbol: event.outcome.symbol });
    if (event.outcome.status === 'failed') {
      // Failures must stay visible after the bar is redrawn.
      process.stderr.write(`\n${describeOutcome(event.outcome, interval)}\n`);
    }
    if (event.done === event.total) bar.stop();
  };
}

/** Re-running a stored backtest from its stored spec, and what changed: the proof that results reproduce. */
import type { Database } from '../db/database.js';
import { getBacktest } from './backtest-store.js';
import { runBacktest } from './run-backtest.js';

export interface RerunComparison {
  readonly sameData: boolean;
  readonly storedFingerprint: string;
  readonly fingerprint: string;
  readonly storedCodeVersion: string;
  readonly codeVersion: string;
  /** `returns.sharpe: 0.81 -> 0.79`; empty when every metric is identical. */
  readonly differences: readonly string[];
}

export async function compareWithStored(db: Database, id: number): Promise<RerunComparison> {
  const stored = await getBacktest(db, id);
  const outcome = await runBacktest(db, stored.spec);
  return {
    sameData: outcome.dataFingerprint === stored.dataFingerprint,
    storedFingerprint: stored.dataFingerprint,
    fingerprint: outcome.dataFingerprint,
    storedCodeVersion: stored.codeVersion,
    codeVersion: outcome.codeVersion,
    // Compare as stored: through JSON, as the database keeps them.
    differences: diff(stored.metrics, JSON.parse(JSON.stringify(outcome.metrics)), ''),
  };
}

function diff(a: unknown, b: unknown, path: string): string[] {
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => diff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k));
  }
  return Object.is(a, b) ? [] : [`${path}: ${JSON.stringify(a)} -> ${JSON.stringify(b)}`];
}

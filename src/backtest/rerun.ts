/** Re-running a stored backtest from its stored spec, and what changed: the proof that results reproduce. */
import type { Database } from '../db/database.js';
import { backtestMetricsAsWritten, getBacktest } from './backtest-store.js';
import { runBacktest } from './run-backtest.js';

export interface RerunComparison {
  readonly sameData: boolean;
  readonly storedFingerprint: string;
  readonly fingerprint: string;
  readonly storedCodeVersion: string;
  readonly codeVersion: string;
  /** `returns.sharpe: 0.81 -> 0.79`; empty when every metric is identical. */
  readonly differences: readonly string[];
  /** Metrics the stored row has no field for (added by a later version), e.g. `warmUp`: not differences. */
  readonly notStoredThen: readonly string[];
}

export async function compareWithStored(db: Database, id: number): Promise<RerunComparison> {
  const stored = await getBacktest(db, id);
  const outcome = await runBacktest(db, stored.spec);
  const notStoredThen: string[] = [];
  // Compare as stored: through JSON, as the database keeps them.
  const differences = diff(await backtestMetricsAsWritten(db, id), JSON.parse(JSON.stringify(outcome.metrics)), '', notStoredThen);
  return {
    sameData: outcome.dataFingerprint === stored.dataFingerprint,
    storedFingerprint: stored.dataFingerprint,
    fingerprint: outcome.dataFingerprint,
    storedCodeVersion: stored.codeVersion,
    codeVersion: outcome.codeVersion,
    differences,
    notStoredThen,
  };
}

/** The paths where `stored` and `fresh` differ; a field `stored` lacks altogether goes to `absent` instead. */
function diff(stored: unknown, fresh: unknown, path: string, absent: string[]): string[] {
  if (stored !== null && fresh !== null && typeof stored === 'object' && typeof fresh === 'object') {
    const keys = new Set([...Object.keys(stored), ...Object.keys(fresh)]);
    return [...keys].flatMap((k) => {
      const at = path ? `${path}.${k}` : k;
      if (!(k in stored)) {
        absent.push(at);
        return [];
      }
      return diff((stored as Record<string, unknown>)[k], (fresh as Record<string, unknown>)[k], at, absent);
    });
  }
  return Object.is(stored, fresh) ? [] : [`${path}: ${JSON.stringify(stored)} -> ${JSON.stringify(fresh)}`];
}

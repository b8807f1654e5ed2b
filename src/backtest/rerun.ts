/** Re-running a stored backtest from its stored spec, and what changed: the proof that results reproduce. */
import type { DataUsed } from '../data/strategy-data.js';
import type { Database } from '../db/database.js';
import { backtestMetricsAsWritten, getBacktest } from './backtest-store.js';
import type { BacktestMetrics } from './metrics.js';
import { runBacktest } from './run-backtest.js';

export interface RerunComparison {
  readonly sameData: boolean;
  readonly storedFingerprint: string;
  readonly fingerprint: string;
  /** The point-in-time data read, as stored and now (the fingerprints cover them). */
  readonly storedDataUsed: DataUsed | null;
  readonly dataUsed: DataUsed | null;
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
    storedDataUsed: stored.dataUsed,
    dataUsed: outcome.dataUsed,
    storedCodeVersion: stored.codeVersion,
    codeVersion: outcome.codeVersion,
    differences,
    notStoredThen,
  };
}

/** Where freshly computed metrics differ from metrics as written (figures equal to 12 significant digits are the same; fields added since are not differences). */
export function metricDifferences(asWritten: unknown, fresh: BacktestMetrics): string[] {
  return diff(asWritten, JSON.parse(JSON.stringify(fresh)), '', []);
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
  return sameFigure(stored, fresh) ? [] : [`${path}: ${JSON.stringify(stored)} -> ${JSON.stringify(fresh)}`];
}

/**
 * Two stored figures are the same when identical, or (numbers) equal to 12 significant digits: a
 * change in the order of floating-point operations (e.g. x * x * x for x ** 3 in the skewness) moves
 * the last digits of a figure without changing the result. Any larger change is a difference.
 */
const RELATIVE_ROUND_OFF = 1e-12;

function sameFigure(stored: unknown, fresh: unknown): boolean {
  if (Object.is(stored, fresh)) return true;
  if (typeof stored !== 'number' || typeof fresh !== 'number') return false;
  return Math.abs(stored - fresh) <= RELATIVE_ROUND_OFF * Math.max(Math.abs(stored), Math.abs(fresh));
}

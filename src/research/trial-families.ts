/**
 * Research families as the gates read them: which family a stored backtest is judged in, what its
 * trials say (their number N and the variance of their Sharpe ratios, for the deflated Sharpe
 * ratio; their returns side by side, for the PBO), and selections made by code recorded as trials.
 */
import { getBacktest, initialCashOf, type BacktestSeries, type StoredBacktest } from '../backtest/backtest-store.js';
import { getBacktestSeries } from '../backtest/sweep-curves.js';
import { equityReturns } from '../backtest/return-statistics.js';
import { describeFamily, strategyFamily, trialConfig, configKey, trialRun, type TrialFamilyIdentity } from '../backtest/trial-registry.js';
import {
  familiesWithConfig,
  familyTrials,
  findTrialFamily,
  overlappingFamilies,
  recordTrials,
  type StoredTrialFamily,
} from '../backtest/trial-store.js';
import type { Database } from '../db/database.js';
import { errorMessage, ValidationError } from '../errors.js';
import { probabilityOfBacktestOverfitting, type PboOptions, type PboResult } from './pbo.js';

export interface FamilyEvidence {
  readonly family: StoredTrialFamily;
  /** Per-period Sharpe ratio of each trial (its latest run). */
  readonly sharpes: Float64Array;
  /** CSCV over the trials with a stored equity curve, aligned on their common bars; null with `pboNote`. */
  readonly pbo: PboResult | null;
  /** Backtest ids of the PBO's configurations, in its order (configuration i is `pboBacktests[i]`). */
  readonly pboBacktests: readonly number[];
  readonly pboNote: string | null;
  /** Other families of the same strategy and universe whose periods overlap this one's (not in its count). */
  readonly overlapping: { readonly families: number; readonly trials: number };
}

/**
 * The family a stored backtest is judged in: of the families that counted its configuration on its
 * universe, interval and period (its strategy's, and any selection's), the one with the most
 * trials, its strategy's on a tie. A backtest the registry has not seen (stored before it) is
 * recorded first.
 * @example const family = await familyOfBacktest(db, stored, await getBacktestSeries(db, stored.id))
 */
export async function familyOfBacktest(db: Database, stored: StoredBacktest, series: BacktestSeries): Promise<StoredTrialFamily> {
  const own = strategyFamily(stored.spec, series.dates);
  const key = configKey(trialConfig(stored.spec));
  let families = await familiesWithConfig(db, own, key);
  if (!families.some((f) => f.kind === 'strategy')) {
    await recordTrials(db.kysely, [trialRun(stored.spec, series, { source: sourceOf(stored), backtestId: stored.id })], { onlyNew: true });
    families = await familiesWithConfig(db, own, key);
  }
  return families.reduce((best, f) => (f.trials > best.trials || (f.trials === best.trials && f.kind === 'strategy') ? f : best));
}

/**
 * N, the trials' Sharpe ratios and the family's PBO (`pbo`: CSCV's blocks and trim).
 * @example const { family, sharpes, pbo } = await familyEvidence(db, family, { blocks: 16 })
 */
export async function familyEvidence(db: Database, family: StoredTrialFamily, pbo: PboOptions = {}): Promise<FamilyEvidence> {
  const trials = await familyTrials(db, family.id);
  const stored = trials
    .map((t) => t.backtestId)
    .filter((id): id is number => id !== null)
    .sort((a, b) => a - b);
  const curves = await returnsOf(db, stored);
  const others = family.kind === 'strategy' ? await overlappingFamilies(db, family) : [];
  const base = {
    family,
    sharpes: Float64Array.from(trials, (t) => t.sharpe),
    pboBacktests: stored,
    overlapping: { families: others.length, trials: others.reduce((n, f) => n + f.trials, 0) },
  };
  if (curves.length < 2) {
    const note =
      `PBO needs a sweep: at least 2 configurations of this family with stored returns; it has ${curves.length} ` +
      `(${describeFamily(family)}; momentum sweep tries a grid, momentum gate --sweep ID judges it)`;
    return { ...base, pbo: null, pboNote: note };
  }
  try {
    return { ...base, pbo: probabilityOfBacktestOverfitting(alignOnCommonBars(curves), pbo), pboNote: null };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return { ...base, pbo: null, pboNote: `no PBO for ${describeFamily(family)}: ${errorMessage(error)}` };
  }
}

/**
 * Records a choice made by code among stored backtests (the demo picking a strategy, a job picking
 * the best) as trials of one selection family: every candidate, chosen or not, counts. Candidates
 * share a universe, an interval and a period; each is then judged in this family when it is the
 * larger of its families (familyOfBacktest).
 * @example await recordSelection(db, 'demo', backtestIds)
 */
export async function recordSelection(db: Database, name: string, backtestIds: readonly number[]): Promise<StoredTrialFamily> {
  if (backtestIds.length === 0) throw new ValidationError('backtestIds', `the selection "${name}" has no candidates`);
  const candidates = await Promise.all(
    backtestIds.map(async (id) => ({ stored: await getBacktest(db, id), series: await getBacktestSeries(db, id) })),
  );
  const families = candidates.map(({ stored, series }) => strategyFamily(stored.spec, series.dates));
  const family: TrialFamilyIdentity = { ...families[0]!, kind: 'selection', name };
  const shared = (f: TrialFamilyIdentity) =>
    f.symbols.join(',') === family.symbols.join(',') &&
    f.interval === family.interval &&
    f.periodFrom === family.periodFrom &&
    f.periodTo === family.periodTo;
  const stray = families.findIndex((f) => !shared(f));
  if (stray >= 0) {
    throw new ValidationError(
      'backtestIds',
      `backtest ${backtestIds[stray]} (${describeFamily(families[stray]!)}) is not on the universe, interval and period of backtest ${backtestIds[0]} (${describeFamily(families[0]!)}): a selection compares like with like`,
    );
  }
  await recordTrials(
    db.kysely,
    candidates.map(({ stored, series }) => trialRun(stored.spec, series, { source: 'selection', backtestId: stored.id, family })),
  );
  return (await findTrialFamily(db, family))!;
}

function sourceOf(stored: StoredBacktest) {
  return stored.role === 'backtest' ? (stored.sweepId === null ? 'backtest' : 'sweep') : stored.role;
}

/** Per-bar returns of stored backtests, in the order given. */
async function returnsOf(db: Database, backtestIds: readonly number[]): Promise<{ dates: Float64Array; returns: Float64Array }[]> {
  if (backtestIds.length === 0) return [];
  const cash = await initialCashOf(db, backtestIds);
  const curves = [];
  for (const id of backtestIds) {
    const series = await getBacktestSeries(db, id);
    curves.push({ dates: series.dates, returns: equityReturns(series.equity, cash.get(id)!) });
  }
  return curves;
}

/** The returns on the bars every curve has (all of them, in the usual case of one panel). */
function alignOnCommonBars(curves: readonly { dates: Float64Array; returns: Float64Array }[]): Float64Array[] {
  const first = curves[0]!.dates;
  if (curves.every((c) => c.dates.length === first.length && c.dates.every((t, i) => t === first[i]))) return curves.map((c) => c.returns);
  const seen = new Map<number, number>();
  for (const c of curves) for (const t of c.dates) seen.set(t, (seen.get(t) ?? 0) + 1);
  return curves.map((c) => c.returns.filter((_, i) => seen.get(c.dates[i]!) === curves.length));
}

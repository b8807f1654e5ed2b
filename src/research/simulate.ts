/**
 * Out-of-sample simulation: the stored strategy, with its stored hyperparameters, re-run on a period
 * that starts after the backtest's period ended; stored as a run of its own (role 'simulation') and
 * compared with the in-sample figures. By default only a backtest that passed its gates is simulated.
 */
import { z } from 'zod';
import { storeBacktest, getBacktest, type StoredBacktest } from '../backtest/backtest-store.js';
import type { BacktestMetrics } from '../backtest/metrics.js';
import { runBacktest } from '../backtest/run-backtest.js';
import { MS_PER_DAY } from '../data/bar.js';
import type { Database } from '../db/database.js';
import { ValidationError } from '../errors.js';
import { trialCount } from '../backtest/trial-registry.js';
import { calendarDateSchema, parseCalendarDate } from '../util/calendar-date.js';
import { parseStoredJson } from '../util/stored-json.js';
import type { GateSet } from './gate-set.js';
import { gateBacktest, latestGateResults, type StoredGateResult } from './gate-runner.js';
import { insertSimulation, simulationRow, simulationRows } from './simulation-store.js';

/** A simulation as a request (the HTTP API): the options below, the gate set by name. */
export const simulationRequestSchema = z.strictObject({
  backtestId: z.number().int().positive(),
  from: calendarDateSchema.optional(),
  to: calendarDateSchema.optional(),
  allowOverlap: z.boolean().default(false),
  ignoreGates: z.boolean().default(false),
  /** The gate set a backtest without a verdict is judged with. */
  gateSet: z.string().min(1).default('default'),
});

export interface SimulateOptions {
  readonly backtestId: number;
  /** First out-of-sample date, YYYY-MM-DD (default: the day after the backtest period). */
  readonly from?: string | undefined;
  /** Last date (default: the latest data). */
  readonly to?: string | undefined;
  readonly allowOverlap?: boolean;
  readonly ignoreGates?: boolean;
  /** Used when the backtest has no gate verdict yet. */
  readonly gates: { readonly name: string; readonly set: GateSet };
}

export interface Comparison {
  readonly inSample: FigureSet;
  readonly outOfSample: FigureSet;
  /** OOS minus IS for each figure; `sharpeRatio` = OOS Sharpe / IS Sharpe (1: no degradation). */
  readonly change: {
    readonly sharpe: number | null;
    readonly cagr: number | null;
    readonly totalReturnPct: number;
    readonly maxDrawdownPct: number;
  };
  readonly sharpeRatio: number | null;
}

interface FigureSet {
  readonly period: string;
  readonly sharpe: number | null;
  readonly cagr: number | null;
  readonly totalReturnPct: number;
  readonly maxDrawdownPct: number;
  readonly trades: number;
}

const figureSetSchema: z.ZodType<FigureSet> = z.object({
  period: z.string(),
  sharpe: z.number().nullable(),
  cagr: z.number().nullable(),
  totalReturnPct: z.number(),
  maxDrawdownPct: z.number(),
  trades: z.number(),
});

/** A Comparison as stored (simulations.comparison), read back through this schema. */
const comparisonSchema: z.ZodType<Comparison> = z.object({
  inSample: figureSetSchema,
  outOfSample: figureSetSchema,
  change: z.object({
    sharpe: z.number().nullable(),
    cagr: z.number().nullable(),
    totalReturnPct: z.number(),
    maxDrawdownPct: z.number(),
  }),
  sharpeRatio: z.number().nullable(),
});

export interface SimulationResult {
  readonly simulationId: number;
  readonly backtestId: number;
  readonly oosBacktestId: number;
  readonly gate: StoredGateResult;
  readonly ignoredGates: boolean;
  readonly allowedOverlap: boolean;
  readonly metrics: BacktestMetrics;
  readonly comparison: Comparison;
  readonly warnings: readonly string[];
}

/** @example await simulateOutOfSample(db, { backtestId: 12, gates: { name: 'default', set } }) */
export async function simulateOutOfSample(db: Database, options: SimulateOptions): Promise<SimulationResult> {
  const stored = await getBacktest(db, options.backtestId);
  const { from } = outOfSamplePeriod(stored, options);
  const gate = (await latestGateResult(db, stored.id)) ?? (await gateBacktest(db, stored.id, options.gates.name, options.gates.set));
  if (!gate.passed && !options.ignoreGates) {
    const failed = gate.checks.filter((c) => c.status === 'fail').map((c) => c.reason);
    throw new ValidationError(
      'gates',
      `backtest ${stored.id} failed its gates (${gate.gateSet}, ${trialCount(gate.statistics.trials)}): ${failed.join('; ')}. Use --ignore-gates (ignoreGates) to simulate it anyway (recorded)`,
    );
  }
  const outcome = await runBacktest(db, { ...stored.spec, from, to: options.to ?? null });
  const oosBacktestId = await storeBacktest(db, outcome, { role: 'simulation' });
  const comparison = compare(stored, outcome.metrics);
  const id = await insertSimulation(db, {
    backtestId: stored.id,
    oosBacktestId,
    gateResultId: gate.id,
    allowedOverlap: options.allowOverlap ?? false,
    ignoredGates: !gate.passed,
    comparison,
  });
  return {
    simulationId: id,
    backtestId: stored.id,
    oosBacktestId,
    gate,
    ignoredGates: !gate.passed,
    allowedOverlap: options.allowOverlap ?? false,
    metrics: outcome.metrics,
    comparison,
    warnings: outcome.warnings,
  };
}

/**
 * The period a simulation of `stored` runs on: from the day after the backtest's period unless
 * given; refused (naming the field) when it overlaps the backtest's period without `allowOverlap`,
 * or ends before it starts. Checked before a simulation is queued, and again when it runs.
 * @example outOfSamplePeriod(stored, { to: '2016-12-31' }) // { from: '2015-01-01', to: '2016-12-31' }
 */
export function outOfSamplePeriod(
  stored: Pick<StoredBacktest, 'id' | 'periodFrom' | 'periodTo'>,
  options: Pick<SimulateOptions, 'from' | 'to' | 'allowOverlap'>,
): { from: string; to: string | undefined } {
  if (options.from !== undefined) parseCalendarDate(options.from, 'from');
  if (options.to !== undefined) parseCalendarDate(options.to, 'to');
  const from = options.from ?? nextDay(stored.periodTo);
  if (from <= stored.periodTo && !options.allowOverlap) {
    throw new ValidationError(
      'from',
      `${from} overlaps backtest ${stored.id}'s period (${stored.periodFrom} to ${stored.periodTo}): out-of-sample data must start after ${stored.periodTo}; use --allow-overlap (allowOverlap) to run anyway`,
    );
  }
  if (options.to && options.to < from) throw new ValidationError('to', `${options.to} is before ${from}`);
  return { from, to: options.to };
}

async function latestGateResult(db: Database, backtestId: number): Promise<StoredGateResult | undefined> {
  return (await latestGateResults(db, [backtestId])).get(backtestId);
}

function figures(metrics: BacktestMetrics): FigureSet {
  return {
    period: `${metrics.period.start} .. ${metrics.period.end}`,
    sharpe: metrics.returns.sharpe,
    cagr: metrics.returns.cagr,
    totalReturnPct: metrics.returns.totalReturnPct,
    maxDrawdownPct: metrics.drawdown.maxDepthPct,
    trades: metrics.trades.closed,
  };
}

/** In-sample vs out-of-sample, and how much each figure degraded. */
export function compare(inSample: Pick<StoredBacktest, 'metrics'>, outOfSample: BacktestMetrics): Comparison {
  const is = figures(inSample.metrics);
  const oos = figures(outOfSample);
  const minus = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);
  return {
    inSample: is,
    outOfSample: oos,
    change: {
      sharpe: minus(oos.sharpe, is.sharpe),
      cagr: minus(oos.cagr, is.cagr),
      totalReturnPct: oos.totalReturnPct - is.totalReturnPct,
      maxDrawdownPct: oos.maxDrawdownPct - is.maxDrawdownPct,
    },
    sharpeRatio: is.sharpe && oos.sharpe !== null ? oos.sharpe / is.sharpe : null,
  };
}

function nextDay(isoDate: string): string {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) + MS_PER_DAY).toISOString().slice(0, 10);
}

export interface StoredSimulation {
  readonly id: number;
  readonly backtestId: number;
  readonly oosBacktestId: number;
  readonly ignoredGates: boolean;
  readonly allowedOverlap: boolean;
  readonly comparison: Comparison;
  readonly createdAt: Date;
}

export async function listSimulations(db: Database, backtestId?: number): Promise<StoredSimulation[]> {
  return (await simulationRows(db, backtestId)).map(storedSimulation);
}

/** A stored simulation by id, or undefined when there is none. */
export async function getSimulation(db: Database, id: number): Promise<StoredSimulation | undefined> {
  const row = await simulationRow(db, id);
  return row && storedSimulation(row);
}

function storedSimulation(r: Awaited<ReturnType<typeof simulationRows>>[number]): StoredSimulation {
  return {
    id: Number(r.id),
    backtestId: Number(r.backtest_id),
    oosBacktestId: Number(r.oos_backtest_id),
    ignoredGates: r.ignored_gates,
    allowedOverlap: r.allowed_overlap,
    comparison: parseStoredJson(comparisonSchema, r.comparison, `simulation ${r.id}'s comparison`),
    createdAt: r.created_at,
  };
}

/**
 * What each kind of API job takes and does: the request schema (the CLI's own spec schemas), the
 * checks made before it is queued (a 400 at once rather than a job that fails later), the work,
 * and where its result is read. The work is a plain function of (request, database, progress), so
 * the distributed job engine could run it on a worker later: the seam is `run`.
 */
import { z } from 'zod';
import { backtestSpecSchema, parseBacktestSpec } from '../../backtest/backtest-spec.js';
import { getBacktest, storeBacktest } from '../../backtest/backtest-store.js';
import { runBacktest } from '../../backtest/run-backtest.js';
import { planSweep, runSweep, sweepRequestSchema, type SweepGrid } from '../../backtest/sweep.js';
import { ingest } from '../../data/ingest.js';
import { ingestRequestSchema, planIngestRequest } from '../../data/ingest-request.js';
import type { Database } from '../../db/database.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { createPortfolio } from '../../portfolio/model-portfolio.js';
import { parsePortfolioRequest, portfolioRequestSchema } from '../../portfolio/portfolio-spec.js';
import { portfolioRows, requirePortfolioName } from '../../portfolio/portfolio-store.js';
import { gateSweep } from '../../research/gate-runner.js';
import { resolveGateSet, type GateSet } from '../../research/gate-set.js';
import { outOfSamplePeriod, simulateOutOfSample, simulationRequestSchema } from '../../research/simulate.js';
import { getStrategy } from '../../strategies/registry.js';
import type { JobKind } from './api-job-store.js';

export interface JobContext {
  readonly db: Database;
  /** The gate sets by name (the configuration's, defaults included). */
  readonly gateSets: Readonly<Record<string, GateSet>>;
  /** Sweep worker threads (undefined: one per core). */
  readonly sweepWorkers?: number | undefined;
  /** How far the job is (0..1) and what it does; cheap to call often (writes are coalesced). */
  progress(fraction: number, message: string): void;
}

export interface JobKindDefinition<S extends z.ZodType = z.ZodType> {
  /** The request body. */
  readonly schema: S;
  /** Checks beyond the schema, before the job is queued; throws ValidationError naming the field. */
  check(request: z.output<S>, context: Omit<JobContext, 'progress' | 'sweepWorkers'>): Promise<void>;
  /** The work; returns the ids of what it made (stored as the job's result). */
  run(request: z.output<S>, context: JobContext): Promise<Record<string, unknown>>;
  /** The result's path under /api/v1, from the job's result. */
  resultPath(result: Record<string, unknown>): string;
}

/** A portfolio to create: its name and the request `momentum portfolio create NAME` builds from its flags. */
export const portfolioCreateSchema = z.strictObject({ name: z.string().min(1), request: portfolioRequestSchema });

/**
 * A sweep as `momentum sweep` takes it and, with `gateSet`, gated when it is done as `momentum gate
 * --sweep ID` does (a PBO for the sweep, a deflated Sharpe ratio for each combination).
 */
export const sweepJobSchema = sweepRequestSchema.extend({ gateSet: z.string().min(1).optional() });

/** A refusal of a part of the body, named by its path in the body (`request.symbols`, `gateSet`). */
function underField(error: unknown, field: (inner: string) => string): unknown {
  return error instanceof ValidationError ? new ValidationError(field(error.field), error.reason) : error;
}

function gatesOf(gateSets: Readonly<Record<string, GateSet>>, name: string, field: string): { name: string; set: GateSet } {
  try {
    return { name, set: resolveGateSet(gateSets, name) };
  } catch (error) {
    throw underField(error, () => field);
  }
}

function sweepOf(request: z.output<typeof sweepJobSchema>) {
  const { grid, storeTrades, keepCurves, gateSet: _gateSet, ...rest } = request;
  const spec = parseBacktestSpec(rest);
  return { spec, grid: (grid ?? getStrategy(spec.strategy).sweep) as SweepGrid, storeTrades, keepCurves };
}

const backtest: JobKindDefinition<typeof backtestSpecSchema> = {
  schema: backtestSpecSchema,
  check: async (request) => void parseBacktestSpec(request),
  async run(request, { db, progress }) {
    progress(0.1, 'running the backtest');
    const outcome = await runBacktest(db, parseBacktestSpec(request));
    progress(0.9, 'storing the result');
    return { backtestId: await storeBacktest(db, outcome) };
  },
  resultPath: (result) => `/backtests/${String(result.backtestId)}`,
};

const simulation: JobKindDefinition<typeof simulationRequestSchema> = {
  schema: simulationRequestSchema,
  async check(request, { db, gateSets }) {
    gatesOf(gateSets, request.gateSet, 'gateSet');
    const stored = await getBacktest(db, request.backtestId).catch((error: unknown) => {
      throw error instanceof NotFoundError ? new ValidationError('backtestId', `backtest ${request.backtestId} does not exist`) : error;
    });
    outOfSamplePeriod(stored, request);
  },
  async run(request, { db, gateSets, progress }) {
    progress(0.1, `simulating backtest ${request.backtestId} out of sample`);
    const { gateSet, ...options } = request;
    const result = await simulateOutOfSample(db, { ...options, gates: gatesOf(gateSets, gateSet, 'gateSet') });
    return {
      simulationId: result.simulationId,
      backtestId: result.backtestId,
      oosBacktestId: result.oosBacktestId,
      ignoredGates: result.ignoredGates,
    };
  },
  resultPath: (result) => `/simulations/${String(result.simulationId)}`,
};

const sweep: JobKindDefinition<typeof sweepJobSchema> = {
  schema: sweepJobSchema,
  check: async (request, { gateSets }) => {
    if (request.gateSet !== undefined) gatesOf(gateSets, request.gateSet, 'gateSet');
    const { spec, grid } = sweepOf(request);
    planSweep(spec, grid);
  },
  async run(request, { db, gateSets, sweepWorkers, progress }) {
    const { spec, grid, storeTrades, keepCurves } = sweepOf(request);
    const result = await runSweep(db, spec, grid, {
      storeTrades,
      keepCurves,
      ...(sweepWorkers ? { workers: sweepWorkers } : {}),
      onProgress: ({ done, total, failed }) =>
        progress(
          (total === 0 ? 1 : done / total) * (request.gateSet === undefined ? 1 : 0.9),
          `${done} of ${total} combinations${failed ? `, ${failed} failed` : ''}`,
        ),
    });
    const made = { sweepId: result.sweepId, combinations: result.combinations, failed: result.failures.length };
    // The PBO and the DSR compare configurations: a sweep of one is not gated (its page says so).
    if (request.gateSet === undefined || result.combinations - result.failures.length < 2) return made;
    progress(0.9, `gating sweep ${result.sweepId} with the ${request.gateSet} gates`);
    const gates = gatesOf(gateSets, request.gateSet, 'gateSet');
    const verdict = await gateSweep(db, result.sweepId, gates.name, gates.set);
    return { ...made, pbo: verdict.pbo, passed: verdict.results.filter((r) => r.passed).length };
  },
  resultPath: (result) => `/sweeps/${String(result.sweepId)}`,
};

const portfolio: JobKindDefinition<typeof portfolioCreateSchema> = {
  schema: portfolioCreateSchema,
  async check({ name, request }, { db, gateSets }) {
    requirePortfolioName(name);
    try {
      parsePortfolioRequest(request);
    } catch (error) {
      throw underField(error, (inner) => `request.${inner}`);
    }
    gatesOf(gateSets, request.gateSet, 'request.gateSet');
    if ((await portfolioRows(db, { order: 'id', names: [name.trim()] })).length > 0)
      throw new ValidationError('name', `a portfolio named ${JSON.stringify(name)} exists already`);
  },
  async run({ name, request }, { db, gateSets, progress }) {
    progress(0.1, `generating portfolio ${name}`);
    const created = await createPortfolio(db, name, request, { gates: gatesOf(gateSets, request.gateSet, 'request.gateSet') });
    return { portfolioId: created.portfolioId, rebalanceId: created.rebalanceId, name: name.trim() };
  },
  resultPath: (result) => `/portfolios/${encodeURIComponent(String(result.name))}`,
};

const ingestKind: JobKindDefinition<typeof ingestRequestSchema> = {
  schema: ingestRequestSchema,
  check: async (request) => void (await planIngestRequest(request)),
  async run(request, { db, progress }) {
    const { provider, options } = await planIngestRequest(request);
    const report = await ingest(db, provider, {
      ...options,
      onProgress: (event) =>
        event.type === 'start'
          ? progress(0, `ingest run ${event.runId}: ${event.total} symbol(s)`)
          : progress(
              event.done / event.total,
              `${event.done} of ${event.total} symbols (${event.outcome.symbol}: ${event.outcome.status})`,
            ),
    });
    return { runId: report.runId, status: report.status };
  },
  resultPath: (result) => `/ingest/${String(result.runId)}`,
};

/** Every kind, by the name its job row carries. */
export const JOB_DEFINITIONS: Readonly<Record<JobKind, JobKindDefinition>> = {
  backtest,
  simulation,
  sweep,
  portfolio,
  ingest: ingestKind,
} as Readonly<Record<JobKind, JobKindDefinition>>;

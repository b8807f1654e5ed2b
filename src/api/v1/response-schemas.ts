/**
 * The answers of the HTTP API v1 as zod schemas: what the OpenAPI document says of each response
 * (openapi.ts), and what the test validates the real answers against. Instants are ISO strings.
 */
import { z } from 'zod';
import { backtestSpecSchema } from '../../backtest/backtest-spec.js';
import { backtestMetricsSchema } from '../../backtest/metrics-schema.js';
import { FUNDAMENTAL_FIELD_NAMES, PERIOD_TYPES } from '../../data/fundamental.js';
import { JOB_KINDS } from './api-job-store.js';

const instant = z.iso.datetime();
const json = z.record(z.string(), z.unknown());

/** Every 4xx and 5xx: what was wrong, and each field at fault with its path in the request. */
export const errorSchema = z.object({
  error: z.string(),
  fields: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

export const acceptedSchema = z.object({
  id: z.uuid(),
  kind: z.enum(JOB_KINDS),
  status: z.literal('queued'),
  links: z.object({ self: z.string() }),
});

export const jobSchema = z.object({
  id: z.uuid(),
  kind: z.enum(JOB_KINDS),
  status: z.enum(['queued', 'running', 'succeeded', 'failed']),
  /** 0..1 */
  progress: z.number().min(0).max(1),
  message: z.string().nullable(),
  /** The request as validated, defaults filled in. */
  spec: json,
  /** The ids of what the job made, once it succeeded. */
  result: json.nullable(),
  error: z.string().nullable(),
  createdAt: instant,
  startedAt: instant.nullable(),
  finishedAt: instant.nullable(),
  links: z.object({ self: z.string(), result: z.string().optional() }),
});

/** What a backtest read besides prices (src/data/strategy-data.ts DataUsed), null for a price-only strategy. */
const dataUsedSchema = z
  .object({
    asOfRule: z.string(),
    fundamentals: z
      .object({ fields: z.array(z.enum(FUNDAMENTAL_FIELD_NAMES)), periodType: z.enum(PERIOD_TYPES), lagDays: z.number().int() })
      .nullable(),
    events: z.array(z.enum(['earnings', 'analyst-actions'])),
    eventRows: z.number().int(),
    fingerprint: z.string(),
  })
  .nullable();

export const backtestResultSchema = z.object({
  id: z.number().int(),
  role: z.enum(['backtest', 'simulation', 'walk-forward']),
  sweepId: z.number().int().nullable(),
  spec: backtestSpecSchema,
  symbols: z.array(z.string()),
  periodFrom: z.string(),
  periodTo: z.string(),
  metrics: backtestMetricsSchema,
  warnings: z.array(z.string()),
  dataFingerprint: z.string(),
  dataUsed: dataUsedSchema,
  codeVersion: z.string(),
  createdAt: instant,
});

export const simulationResultSchema = z.object({
  id: z.number().int(),
  backtestId: z.number().int(),
  oosBacktestId: z.number().int(),
  ignoredGates: z.boolean(),
  allowedOverlap: z.boolean(),
  comparison: json,
  createdAt: instant,
  links: z.object({ inSample: z.string(), outOfSample: z.string() }),
});

export const sweepResultSchema = z.object({
  id: z.number().int(),
  strategy: z.string(),
  grid: json,
  spec: backtestSpecSchema,
  combinations: z.number().int(),
  status: z.enum(['running', 'done', 'failed']),
  error: z.string().nullable(),
  /** Every stored combination in grid order, with its headline figures. */
  entries: z.array(
    z.object({
      index: z.number().int(),
      backtestId: z.number().int(),
      params: json,
      sharpe: z.number().nullable(),
      cagr: z.number().nullable(),
      totalReturnPct: z.number(),
      maxDrawdownPct: z.number(),
    }),
  ),
  failures: z.array(z.object({ index: z.number().int(), params: json, error: z.string() })),
});

export const portfolioResultSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  request: json,
  backtestId: z.number().int().nullable(),
  createdAt: instant,
  /** The latest rebalance: holdings, orders, evidence. */
  latest: json.nullable(),
});

export const ingestResultSchema = z.object({
  id: z.number().int(),
  source: z.string(),
  interval: z.string(),
  status: z.enum(['running', 'ok', 'partial', 'failed', 'aborted']),
  started_at: instant,
  finished_at: instant.nullable(),
  totals: z.record(z.string(), z.number()),
  error: z.string().nullable(),
});

const self = z.object({ self: z.string() });

/** A page of a list (GET /api/v1/{collection}): newest first; `next` links the following page, null on the last. */
export function listSchema(item: z.ZodType) {
  return z.object({ items: z.array(item), limit: z.number().int(), offset: z.number().int(), next: z.string().nullable() });
}

export const backtestListItemSchema = z.object({
  id: z.number().int(),
  role: z.enum(['backtest', 'simulation', 'walk-forward']),
  sweepId: z.number().int().nullable(),
  strategy: z.string(),
  params: json,
  universe: z.string().nullable(),
  periodFrom: z.string(),
  periodTo: z.string(),
  totalReturnPct: z.number().nullable(),
  cagr: z.number().nullable(),
  sharpe: z.number().nullable(),
  maxDrawdownPct: z.number().nullable(),
  trades: z.number().int().nullable(),
  createdAt: instant,
  links: self,
});

export const sweepListItemSchema = z.object({
  id: z.number().int(),
  strategy: z.string(),
  grid: json,
  combinations: z.number().int(),
  status: z.enum(['running', 'done', 'failed']),
  error: z.string().nullable(),
  createdAt: instant,
  /** Combinations stored so far. */
  stored: z.number().int(),
  links: self,
});

export const portfolioListItemSchema = portfolioResultSchema.omit({ latest: true }).extend({ links: self });

/**
 * A rebalance's Evidence as stored (rebalances.evidence), read back through this schema. Evidence
 * stored before the trial registry lacks the gate's `trials` and `family`: they read back as null.
 */
import { z } from 'zod';
import type { BacktestEvidence, Evidence, GateEvidence, SimulationEvidence } from './evidence.js';

const figure = z.number().nullable();

const backtestSchema: z.ZodType<BacktestEvidence> = z.object({
  id: z.number(),
  from: z.string(),
  to: z.string(),
  totalReturnPct: z.number(),
  cagr: figure,
  sharpe: figure,
  maxDrawdownPct: z.number(),
  trades: z.number(),
});

const gateSchema: z.ZodType<GateEvidence> = z.object({
  id: z.number(),
  gateSet: z.string(),
  passed: z.boolean(),
  failures: z.array(z.string()),
  psr: figure,
  dsr: figure,
  pbo: figure,
  trials: figure.default(null),
  family: z.string().nullable().default(null),
});

const simulationSchema: z.ZodType<SimulationEvidence> = z.object({
  id: z.number(),
  oosBacktestId: z.number(),
  period: z.string(),
  totalReturnPct: z.number(),
  cagr: figure,
  sharpe: figure,
  maxDrawdownPct: z.number(),
  sharpeRatio: figure,
});

export const evidenceSchema: z.ZodType<Evidence> = z.object({
  backtest: backtestSchema.nullable(),
  gate: gateSchema.nullable(),
  simulation: simulationSchema.nullable(),
  verdict: z.enum(['passed', 'failed', 'no-backtest']),
  gatesIgnored: z.boolean(),
  note: z.string().nullable(),
});

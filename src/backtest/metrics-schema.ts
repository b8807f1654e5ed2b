/**
 * BacktestMetrics as stored (backtests.metrics, walkforwards.metrics): the schema stored rows are
 * read back through. Each object schema is typed with its interface, so a metric added to the
 * interface and not here fails the typecheck. Nulls stand for figures that are undefined (a flat
 * equity's Sharpe), as computeMetrics writes them.
 */
import { z } from 'zod';
import { intervalSchema } from '../data/bar.js';
import type {
  ActivityMetrics,
  BacktestMetrics,
  BenchmarkMetrics,
  DrawdownMetrics,
  PeriodMetrics,
  ReturnMetrics,
  TradeMetrics,
  WarmUpMetrics,
} from './metrics.js';

const figure = z.number().nullable();
const day = z.string().nullable();

const periodSchema: z.ZodType<PeriodMetrics> = z.object({
  start: z.string(),
  end: z.string(),
  bars: z.number(),
  years: z.number(),
  interval: intervalSchema,
  periodsPerYear: z.number(),
});

const returnsSchema: z.ZodType<ReturnMetrics> = z.object({
  totalReturnPct: z.number(),
  cagr: figure,
  meanReturn: figure,
  volatility: figure,
  sharpe: figure,
  sortino: figure,
  calmar: figure,
  skewness: figure,
  excessKurtosis: figure,
  riskFreeRate: z.number(),
});

const drawdownSchema: z.ZodType<DrawdownMetrics> = z.object({
  maxDepthPct: z.number(),
  maxMoneydown: z.number(),
  start: day,
  trough: day,
  recovery: day,
  durationBars: z.number(),
  durationDays: z.number(),
  longestBars: z.number(),
});

const tradesSchema: z.ZodType<TradeMetrics> = z.object({
  closed: z.number(),
  won: z.number(),
  lost: z.number(),
  breakEven: z.number(),
  winRate: figure,
  profitFactor: figure,
  netPnl: z.number(),
  avgWin: figure,
  avgLoss: figure,
  avgPnlNet: figure,
  best: figure,
  worst: figure,
  avgBarsHeld: figure,
  openAtEnd: z.number(),
});

const activitySchema: z.ZodType<ActivityMetrics> = z.object({
  turnover: figure,
  timeInMarket: figure,
  avgGrossExposure: figure,
});

const benchmarkSchema: z.ZodType<BenchmarkMetrics> = z.object({
  symbol: z.string(),
  start: day,
  totalReturnPct: figure,
  cagr: figure,
  excessCagr: figure,
  // Stored before the benchmark had its own risk figures: read as unknown.
  volatility: figure.default(null),
  sharpe: figure.default(null),
  sortino: figure.default(null),
  calmar: figure.default(null),
  maxDrawdownPct: figure.default(null),
  pairedBars: z.number(),
  beta: figure,
  alpha: figure,
  correlation: figure,
  trackingError: figure,
  informationRatio: figure,
});

const warmUpSchema: z.ZodType<WarmUpMetrics> = z.object({
  fullSignal: day,
  barsBefore: z.number(),
  daysBefore: figure,
  cashBars: z.number(),
});

export const backtestMetricsSchema: z.ZodType<BacktestMetrics> = z.object({
  period: periodSchema,
  returns: returnsSchema,
  drawdown: drawdownSchema,
  trades: tradesSchema,
  activity: activitySchema,
  benchmark: benchmarkSchema.nullable(),
  // Stored before warm-up was reported: unknown.
  warmUp: warmUpSchema.nullable().default(null),
});

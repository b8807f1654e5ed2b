/**
 * What the sweep's main thread and its workers exchange. The panel crosses once, in
 * SharedArrayBuffers (no copy per worker or per combination); results come back with their
 * series as transferred buffers.
 */
import type { PanelField } from '../data/panel.js';
import type { DataUsed, PointInTimeData } from '../data/strategy-data.js';
import type { StrategyParams } from '../strategies/strategy.js';
import type { BacktestSpec } from './backtest-spec.js';
import type { BacktestMetrics } from './metrics.js';
import type { RiskFreeSeries } from './risk-free.js';
import type { BacktestData, TradeRecord } from './run-backtest.js';
import type { TrialFigures } from './trial-registry.js';

export interface SharedData {
  readonly interval: BacktestData['panel']['interval'];
  readonly symbols: readonly string[];
  readonly assetClasses: BacktestData['panel']['assetClasses'];
  readonly dates: SharedArrayBuffer;
  readonly values: Partial<Record<PanelField, SharedArrayBuffer[]>>;
  readonly benchmark: SharedArrayBuffer | null;
  readonly riskFree: (Omit<RiskFreeSeries, 'returns'> & { readonly returns: SharedArrayBuffer }) | null;
  readonly warnings: readonly string[];
  readonly fingerprint: string | undefined;
  /** The strategy's fundamentals and events (copied to each worker: small beside the prices). */
  readonly pointInTime: PointInTimeData;
}

/** What a worker starts with; the panel follows in a 'data' message (workers start while it loads). */
export interface WorkerSetup {
  readonly spec: BacktestSpec;
  readonly storeTrades: boolean;
  /** Send each combination's equity curve back (the sweep stores them); otherwise only its figures. */
  readonly keepCurves: boolean;
  /** The parent's codeVersion(): the same code, and no git call per worker. */
  readonly codeVersion: string;
  /** A user's strategy: the file the worker loads it from, and the version (sha256) the parent loaded. */
  readonly strategyFile?: { readonly file: string; readonly sha256: string } | undefined;
}

export interface SweepJob {
  readonly index: number;
  readonly params: StrategyParams;
}

export type ToWorker =
  | { readonly type: 'data'; readonly data: SharedData }
  | { readonly type: 'jobs'; readonly jobs: readonly SweepJob[] }
  | { readonly type: 'stop' };

export interface JobResult {
  readonly type: 'result';
  readonly index: number;
  readonly metrics: BacktestMetrics;
  /** The bars traded, the same for every combination: in a worker's first result only, null after. */
  readonly dates: Float64Array | null;
  /** Only when the sweep keeps curves (WorkerSetup.keepCurves). */
  readonly equity: Float64Array | null;
  readonly trial: TrialFigures;
  readonly trades: readonly TradeRecord[] | null;
  readonly warnings: readonly string[];
  readonly dataFingerprint: string;
  readonly dataUsed: DataUsed | null;
  readonly codeVersion: string;
  readonly symbols: readonly string[];
}

export type FromWorker =
  JobResult | { readonly type: 'error'; readonly index: number; readonly error: string } | { readonly type: 'ready' };

function share(values: Float64Array): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(values.byteLength);
  new Float64Array(buffer).set(values);
  return buffer;
}

export function shareData(data: BacktestData): SharedData {
  const values: Partial<Record<PanelField, SharedArrayBuffer[]>> = {};
  for (const field of Object.keys(data.panel.values) as PanelField[]) values[field] = data.panel.values[field]!.map(share);
  return {
    interval: data.panel.interval,
    symbols: data.panel.symbols,
    assetClasses: data.panel.assetClasses,
    dates: share(data.panel.dates),
    values,
    benchmark: data.benchmark ? share(data.benchmark) : null,
    riskFree: data.riskFree ? { ...data.riskFree, returns: share(data.riskFree.returns) } : null,
    warnings: data.warnings,
    fingerprint: data.fingerprint,
    pointInTime: {
      ...(data.panel.fundamentals && { fundamentals: data.panel.fundamentals }),
      ...(data.panel.earnings && { earnings: data.panel.earnings }),
      ...(data.panel.analystActions && { analystActions: data.panel.analystActions }),
    },
  };
}

export function unshareData(shared: SharedData): BacktestData {
  const values: Partial<Record<PanelField, Float64Array[]>> = {};
  for (const field of Object.keys(shared.values) as PanelField[]) values[field] = shared.values[field]!.map((b) => new Float64Array(b));
  return {
    panel: {
      interval: shared.interval,
      symbols: shared.symbols,
      dates: new Float64Array(shared.dates),
      values,
      ...(shared.assetClasses ? { assetClasses: shared.assetClasses } : {}),
      ...shared.pointInTime,
    },
    benchmark: shared.benchmark ? new Float64Array(shared.benchmark) : undefined,
    riskFree: shared.riskFree ? { ...shared.riskFree, returns: new Float64Array(shared.riskFree.returns) } : undefined,
    warnings: shared.warnings,
    ...(shared.fingerprint ? { fingerprint: shared.fingerprint } : {}),
  };
}

/** What the research commands do (see research-commands.ts for their options). */
import { parseGrid, SWEEP_SORT_KEYS } from '../backtest/sweep.js';
import { ValidationError } from '../errors.js';
import { resolveGateSet, type GateSet } from '../research/gate-set.js';
import { trialCount } from '../backtest/trial-registry.js';
import { DEFAULT_PBO_BLOCKS, gateBacktest, gateSweep, type StoredGateResult } from '../research/gate-runner.js';
import type { PboOptions } from '../research/pbo.js';
import { listSimulations, simulateOutOfSample, simulationRequestSchema, type Comparison } from '../research/simulate.js';
import { parseRequest } from '../util/parse-request.js';
import { runWalkForward } from '../research/walk-forward-store.js';
import { getStrategy } from '../strategies/registry.js';
import { barsPerMonth, barsPerYear } from '../strategies/strategy.js';
import { formatDrawdown, formatNumber, formatPercent } from '../report/report-format.js';
import { formatTable } from '../util/table.js';
import { specFromFlags, type BacktestFlags } from './backtest-actions.js';
import { formatMetrics, formatParams } from './backtest-format.js';
import { config, withDatabase, withLightDatabase, type Output } from './cli-context.js';
import { numberText, parseChoice, parseFlag, parseIntegerOption } from './options.js';

export interface ThresholdFlags {
  gates?: string;
  minSharpe?: string;
  minCagr?: string;
  maxDrawdown?: string;
  minTrades?: string;
  minDsr?: string;
  maxPbo?: string;
  pboBlocks?: string;
  trim?: boolean;
}

export interface GateFlags extends ThresholdFlags {
  backtest?: string;
  sweep?: string;
  json?: boolean;
}

export interface SimulateFlags extends ThresholdFlags {
  backtest: string;
  from?: string;
  to?: string;
  allowOverlap?: boolean;
  ignoreGates?: boolean;
  json?: boolean;
}

export interface WalkForwardFlags {
  grid: string[];
  train?: string;
  test?: string;
  anchored?: boolean;
  selectBy?: string;
  json?: boolean;
}

const number = (value: string | undefined, flag: string) => parseFlag(numberText(), value, flag);

/** The named gate set with the flag overrides; nonsense thresholds are refused with the flag named. */
function gateSetFromFlags(flags: ThresholdFlags): { name: string; set: GateSet } {
  const name = flags.gates ?? 'default';
  const overrides: Partial<GateSet> = {
    minSharpe: number(flags.minSharpe, 'min-sharpe'),
    minCagr: number(flags.minCagr, 'min-cagr'),
    maxDrawdown: number(flags.maxDrawdown, 'max-drawdown'),
    minTrades: number(flags.minTrades, 'min-trades'),
    minDeflatedSharpe: number(flags.minDsr, 'min-dsr'),
    maxPbo: number(flags.maxPbo, 'max-pbo'),
  };
  return { name, set: resolveGateSet(config().gates, name, overrides) };
}

function pboOptions(flags: ThresholdFlags): PboOptions {
  return { blocks: parseIntegerOption(flags.pboBlocks, 'pbo-blocks', 2, 64) ?? DEFAULT_PBO_BLOCKS, trim: flags.trim ?? false };
}

function printVerdict(result: StoredGateResult, output: Output): void {
  output.out(`backtest ${result.backtestId}: ${result.passed ? 'PASSED' : 'FAILED'} the ${result.gateSet} gates (verdict ${result.id})`);
  for (const check of result.checks) output.out(`  ${check.status.padEnd(7)} ${check.reason}`);
  const s = result.statistics;
  const fixed = (x: number | null) => formatNumber(x, 3);
  const sharpe = s.constantReturns ? 'Sharpe 0 (constant returns)' : `Sharpe ${fixed(s.sharpePerPeriod)} per bar`;
  output.out(`  statistics: ${trialCount(s.trials)} (${s.family?.description ?? 'no family'}; ${s.family?.runs ?? s.trials} runs)`);
  output.out(`    ${sharpe}; PSR ${fixed(s.psr)}, DSR ${fixed(s.dsr)}${s.pbo === null ? '' : `, PBO ${fixed(s.pbo)}`}`);
  if (s.overlapping && s.overlapping.families > 0) {
    output.out(
      `    note: ${s.overlapping.families} other famil${s.overlapping.families === 1 ? 'y' : 'ies'} of this strategy and universe over overlapping periods hold ${s.overlapping.trials} more trials, outside this count (momentum trials)`,
    );
  }
  if (s.pbo !== null) {
    printSplit({ configurations: s.pboConfigurations, splits: s.pboSplits, split: s.pboSplit, warning: s.pboWarning }, '    ', output);
  }
}

/** The PBO's configurations and block split, and the warning when S does not divide T. */
function printSplit(
  cscv: { configurations: number | null; splits: number | null; split: string | null; warning: string | null },
  indent: string,
  output: Output,
): void {
  output.out(`${indent}PBO over ${cscv.configurations} configurations, ${cscv.splits} CSCV splits; ${cscv.split}`);
  if (cscv.warning) output.out(`${indent}warning: ${cscv.warning} (momentum gate --trim)`);
}

export async function gateAction(flags: GateFlags, output: Output): Promise<void> {
  if (!flags.backtest === !flags.sweep) throw new ValidationError('backtest', 'give --backtest ID or --sweep ID (one of them)');
  const gates = gateSetFromFlags(flags);
  const pbo = pboOptions(flags);
  await withDatabase(async (db) => {
    if (flags.backtest) {
      const id = parseIntegerOption(flags.backtest, 'backtest', 1, Number.MAX_SAFE_INTEGER)!;
      const result = await gateBacktest(db, id, gates.name, gates.set, pbo);
      if (flags.json) output.out(JSON.stringify(result, null, 2));
      else printVerdict(result, output);
      if (!result.passed) process.exitCode = 3;
      return;
    }
    const sweepId = parseIntegerOption(flags.sweep, 'sweep', 1, Number.MAX_SAFE_INTEGER)!;
    const verdict = await gateSweep(db, sweepId, gates.name, gates.set, pbo);
    if (flags.json) return output.out(JSON.stringify({ ...verdict, cscv: undefined }, null, 2));
    const passed = verdict.results.filter((r) => r.passed);
    const { pbo: value } = verdict;
    output.out(
      `sweep ${sweepId}: ${verdict.configurations} configurations; ${value === null ? `no PBO (${verdict.pboNote})` : `PBO ${formatNumber(value, 3)} over ${verdict.pboSplits} CSCV splits`}`,
    );
    output.out(`  ${trialCount(verdict.trials)}: ${verdict.family}`);
    if (verdict.cscv !== null) {
      printSplit(verdict.cscv, '  ', output);
      output.out(
        verdict.cscv.pbo > 0.5
          ? '  the in-sample winner does worse than the median configuration out of sample more often than not: the sweep is overfit'
          : `  the in-sample winner beats the median configuration out of sample in ${formatPercent(1 - verdict.cscv.pbo, 0)} of splits`,
      );
    }
    output.out(`  ${passed.length} of ${verdict.results.length} passed the ${gates.name} gates`);
    const rows = [...verdict.results]
      .sort((a, b) => (b.statistics.dsr ?? -1) - (a.statistics.dsr ?? -1))
      .slice(0, 10)
      .map((r) => ({
        backtest: r.backtestId,
        passed: r.passed,
        dsr: probability(r.statistics.dsr),
        psr: probability(r.statistics.psr),
        failed: r.checks
          .filter((c) => c.status === 'fail')
          .map((c) => c.name)
          .join(','),
      }));
    output.out(formatTable(rows, ['backtest', 'passed', 'dsr', 'psr', 'failed']));
    if (passed.length === 0) process.exitCode = 3;
  });
}

/** Probabilities (PSR, DSR, PBO) to 3 decimals, ratios such as Sharpe to 2, as every table. */
const probability = (x: number | null) => formatNumber(x, 3);
const ratio = (x: number | null) => formatNumber(x, 2);

export async function simulateAction(flags: SimulateFlags, output: Output): Promise<void> {
  const backtestId = parseIntegerOption(flags.backtest, 'backtest', 1, Number.MAX_SAFE_INTEGER)!;
  const gates = gateSetFromFlags(flags);
  await withDatabase(async (db) => {
    // The flags as the HTTP API's simulation request: one schema for both (the gate set's thresholds may be overridden here).
    const { gateSet: _named, ...request } = parseRequest(simulationRequestSchema, {
      backtestId,
      from: flags.from,
      to: flags.to,
      allowOverlap: flags.allowOverlap ?? false,
      ignoreGates: flags.ignoreGates ?? false,
      gateSet: gates.name,
    });
    const result = await simulateOutOfSample(db, { ...request, gates });
    if (flags.json) return output.out(JSON.stringify(result, null, 2));
    output.out(`simulation ${result.simulationId}: backtest ${backtestId} out of sample (stored as backtest ${result.oosBacktestId})`);
    output.out(
      `  its verdict ${result.gate.id}: ${result.gate.passed ? 'passed' : 'FAILED'} the ${result.gate.gateSet} gates (${trialCount(result.gate.statistics.trials)})`,
    );
    if (result.ignoredGates)
      output.out(
        `  WARNING: backtest ${backtestId} FAILED its ${result.gate.gateSet} gates; simulated anyway (--ignore-gates), and recorded so`,
      );
    if (result.allowedOverlap)
      output.out('  WARNING: the period overlaps the in-sample one (--allow-overlap): this is not a clean out-of-sample test');
    output.out('');
    output.out(formatMetrics(result.metrics));
    for (const warning of result.warnings) output.out(`  warning: ${warning}`);
    output.out(`\n${formatComparison(result.comparison)}`);
  });
}

function formatComparison(c: Comparison): string {
  const pct = (x: number | null) => formatPercent(x, 2);
  /** Figures the comparison holds in percent. */
  const points = (x: number) => formatPercent(x / 100, 2);
  const rows = [
    { figure: 'period', in_sample: c.inSample.period, out_of_sample: c.outOfSample.period, change: '' },
    { figure: 'Sharpe', in_sample: ratio(c.inSample.sharpe), out_of_sample: ratio(c.outOfSample.sharpe), change: ratio(c.change.sharpe) },
    { figure: 'CAGR', in_sample: pct(c.inSample.cagr), out_of_sample: pct(c.outOfSample.cagr), change: pct(c.change.cagr) },
    {
      figure: 'total return',
      in_sample: points(c.inSample.totalReturnPct),
      out_of_sample: points(c.outOfSample.totalReturnPct),
      change: points(c.change.totalReturnPct),
    },
    {
      // Negative, as every table shows a drawdown; the change is how much deeper (-) or shallower (+).
      figure: 'max drawdown',
      in_sample: formatDrawdown(c.inSample.maxDrawdownPct / 100),
      out_of_sample: formatDrawdown(c.outOfSample.maxDrawdownPct / 100),
      change: formatDrawdown(c.change.maxDrawdownPct / 100),
    },
  ];
  const sharpeShare = c.sharpeRatio === null ? '' : `\nout-of-sample Sharpe is ${formatPercent(c.sharpeRatio, 0)} of in-sample`;
  return `in-sample vs out-of-sample:\n${formatTable(rows, ['figure', 'in_sample', 'out_of_sample', 'change'])}${sharpeShare}`;
}

export async function simulationsAction(flags: { backtest?: string; json?: boolean }, output: Output): Promise<void> {
  const backtestId = parseIntegerOption(flags.backtest, 'backtest', 1, Number.MAX_SAFE_INTEGER);
  await withLightDatabase(async (db) => {
    const simulations = await listSimulations(db, backtestId);
    if (flags.json) return output.out(JSON.stringify(simulations, null, 2));
    if (simulations.length === 0) return output.out('no simulations yet: momentum simulate --backtest ID');
    output.out(
      formatTable(
        simulations.map((s) => ({
          id: s.id,
          backtest: s.backtestId,
          oos_backtest: s.oosBacktestId,
          is_sharpe: ratio(s.comparison.inSample.sharpe),
          oos_sharpe: ratio(s.comparison.outOfSample.sharpe),
          oos_period: s.comparison.outOfSample.period,
          flags: [s.ignoredGates ? 'ignored-gates' : '', s.allowedOverlap ? 'overlap' : ''].filter(Boolean).join(',') || null,
        })),
        ['id', 'backtest', 'oos_backtest', 'is_sharpe', 'oos_sharpe', 'oos_period', 'flags'],
      ),
    );
  });
}

/** `756`, `3y`, `18m` -> bars of the interval. */
function parseSpan(value: string | undefined, flag: string, fallbackYears: number, interval: Parameters<typeof barsPerYear>[0]): number {
  if (value === undefined) return Math.round(fallbackYears * barsPerYear(interval));
  const match = /^(\d+(?:\.\d+)?)(y|m)?$/.exec(value.trim());
  if (!match) throw new ValidationError(flag, `expected bars (756) or a span like 3y or 18m, got ${JSON.stringify(value)}`);
  const n = Number(match[1]);
  const bars = match[2] === 'y' ? n * barsPerYear(interval) : match[2] === 'm' ? n * barsPerMonth(interval) : n;
  return Math.max(2, Math.round(bars));
}

export async function walkForwardAction(flags: WalkForwardFlags & BacktestFlags, output: Output): Promise<void> {
  const spec = specFromFlags(flags);
  const grid = parseGrid(getStrategy(spec.strategy), flags.grid);
  const selectBy = parseChoice(flags.selectBy, 'select-by', SWEEP_SORT_KEYS) ?? 'sharpe';
  const options = {
    grid,
    trainBars: parseSpan(flags.train, 'train', 3, spec.interval),
    testBars: parseSpan(flags.test, 'test', 1, spec.interval),
    mode: flags.anchored ? ('anchored' as const) : ('rolling' as const),
    selectBy,
  };
  await withDatabase(async (db) => {
    const result = await runWalkForward(db, spec, options);
    if (flags.json) {
      const { id, windows, metrics, closedAtWindowEnd } = result;
      return output.out(JSON.stringify({ id, windows, metrics, closedAtWindowEnd }, null, 2));
    }
    output.out(
      `walk-forward ${result.id}: ${spec.strategy}, ${options.mode} windows of ${options.trainBars} training and ${options.testBars} test bars, picked by ${selectBy}\n`,
    );
    output.out(
      formatTable(
        result.windows.map((w) => ({
          window: w.seq + 1,
          train: `${w.trainFrom}..${w.trainTo}`,
          test: `${w.testFrom}..${w.testTo}`,
          chosen: formatParams(Object.fromEntries(Object.keys(grid).map((k) => [k, w.chosen[k]]))),
          is_sharpe: ratio(w.inSample.sharpe),
          oos_sharpe: ratio(w.outOfSample.sharpe),
          oos_return: formatPercent(w.outOfSample.totalReturnPct / 100, 2),
        })),
        ['window', 'train', 'test', 'chosen', 'is_sharpe', 'oos_sharpe', 'oos_return'],
      ),
    );
    output.out('\nthe stitched out-of-sample curve (each window trades the capital the previous one ended with):');
    output.out(formatMetrics(result.metrics));
    output.out(
      `  ${result.closedAtWindowEnd} trade(s) open at a window's end closed at its last mark for the statistics (the next window starts from cash)`,
    );
    output.out(`  ${result.trials.length} trials recorded: each combination on each training span (momentum trials)`);
  });
}

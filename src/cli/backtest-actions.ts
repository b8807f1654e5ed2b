/** What the backtest commands do (see backtest-commands.ts for their options). */
import { backtestSpecSchema, parseBacktestSpec, type BacktestSpec, type BacktestSpecInput } from '../backtest/backtest-spec.js';
import { deleteBacktest, getBacktest, getBacktestTrades, listBacktests, storeBacktest } from '../backtest/backtest-store.js';
import { compareWithStored } from '../backtest/rerun.js';
import { riskFreeLabel } from '../backtest/risk-free.js';
import { runBacktest } from '../backtest/run-backtest.js';
import { MAX_CHUNK_SIZE } from '../backtest/sweep-chunks.js';
import { parseGrid, runSweep, SWEEP_SORT_KEYS, type SweepResult, type SweepSortKey } from '../backtest/sweep.js';
import { trialRun } from '../backtest/trial-registry.js';
import { recordTrials } from '../backtest/trial-store.js';
import { describeDataNeeds, describeDataUsed } from '../data/strategy-data.js';
import { ValidationError } from '../errors.js';
import { formatDrawdown, formatNumber, formatPercent, formatShares, MISSING } from '../report/report-format.js';
import { allStrategies, getStrategy, strategySource } from '../strategies/registry.js';
import { formatTable } from '../util/table.js';
import { formatMetrics, formatParams } from './backtest-format.js';
import { config, withDatabase, withLightDatabase, type Output } from './cli-context.js';
import { numberText, parseChoice, parseFlag, parseIntegerOption } from './options.js';
import { costFlags, parseParamFlags, resolveSymbolFlags, type CostFlags, type SymbolFlags } from './spec-flags.js';
import { sweepProgressReporter } from './sweep-progress.js';

export interface BacktestFlags extends SymbolFlags, CostFlags {
  strategy: string;
  from?: string;
  to?: string;
  param: string[];
  cash?: string;
  wholeShares?: boolean;
  fill?: string;
  allowShort?: boolean;
  maxLeverage?: string;
  benchmark?: string;
  riskFree?: string;
  json?: boolean;
  store?: boolean;
}

export interface SweepFlags extends BacktestFlags {
  grid: string[];
  workers?: string;
  top?: string;
  sort?: string;
  storeTrades?: boolean;
  curves?: boolean;
  distributed?: boolean;
  chunkSize?: string;
}

/**
 * Flags -> a validated spec; errors name the flag. The symbols are resolved first (the only step
 * that reads the configuration); every number is coerced by the spec's own field schema.
 */
export function specFromFlags(flags: BacktestFlags): BacktestSpec {
  const { universe, symbols, interval } = resolveSymbolFlags(flags);
  if (!symbols || symbols.length === 0)
    throw new ValidationError('symbols', 'give --universe NAME or --symbols A,B (the universe is empty)');
  const field = backtestSpecSchema.shape;
  const input: BacktestSpecInput = {
    strategy: flags.strategy,
    params: parseParamFlags(flags.param),
    universe,
    symbols,
    interval: interval ?? '1d',
    from: flags.from ?? null,
    to: flags.to ?? null,
    initialCash: parseFlag(numberText().pipe(field.initialCash.unwrap()), flags.cash, 'cash'),
    fill: parseFlag(field.fill.unwrap(), flags.fill, 'fill'),
    wholeShares: flags.wholeShares ?? false,
    allowShort: flags.allowShort ?? false,
    maxLeverage: parseFlag(numberText().pipe(field.maxLeverage.unwrap()), flags.maxLeverage, 'max-leverage'),
    costs: costFlags(flags),
    benchmark: flags.benchmark ?? null,
    ...riskFreeFlag(flags.riskFree),
  };
  return parseBacktestSpec(input);
}

/** `--risk-free 0.02` (a number: an annual rate) or `--risk-free SHY` (anything else: a symbol). */
function riskFreeFlag(text: string | undefined): Pick<BacktestSpecInput, 'riskFreeRate' | 'riskFreeSymbol'> {
  if (text === undefined) return {};
  if (!/^-?[\d.]/.test(text.trim())) return { riskFreeSymbol: text };
  return { riskFreeRate: parseFlag(numberText().pipe(backtestSpecSchema.shape.riskFreeRate.unwrap()), text, 'risk-free') };
}

export function strategiesAction(flags: { json?: boolean }, output: Output): void {
  const rows = allStrategies().map((s) => ({
    name: s.name,
    title: s.title,
    citation: s.citation,
    defaults: s.paramsSchema('1d').parse({}) as Record<string, unknown>,
    sweep: s.sweep,
    exitRule: s.exitRule,
    data: s.data ?? null,
    file: strategySource(s.name)?.file ?? null,
  }));
  if (flags.json) return output.out(JSON.stringify(rows, null, 2));
  for (const row of rows) {
    output.out(`${row.name}: ${row.title} (${row.citation})`);
    output.out(`  defaults (daily bars): ${formatParams(row.defaults)}`);
    output.out(
      `  sweep ranges: ${Object.entries(row.sweep)
        .map(([k, v]) => `${k}=${(v as unknown[]).join(',')}`)
        .join(' ')}`,
    );
    if (row.data) output.out(`  reads: ${describeDataNeeds(row.data)}`);
    output.out(`  exit rule: ${row.exitRule}${row.file ? `\n  from ${row.file}` : ''}\n`);
  }
}

export async function backtestAction(flags: BacktestFlags, output: Output): Promise<void> {
  const spec = specFromFlags(flags);
  await withDatabase(async (db) => {
    const outcome = await runBacktest(db, spec);
    const id = flags.store === false ? null : await storeBacktest(db, outcome);
    // Seen is tried: an unstored run still counts in its family.
    if (id === null) await recordTrials(db.kysely, [trialRun(spec, outcome, { source: 'backtest' })]);
    if (flags.json) {
      return output.out(
        JSON.stringify(
          {
            id,
            spec,
            symbols: outcome.symbols,
            metrics: outcome.metrics,
            warnings: outcome.warnings,
            dataFingerprint: outcome.dataFingerprint,
            codeVersion: outcome.codeVersion,
          },
          null,
          2,
        ),
      );
    }
    output.out(`${getStrategy(spec.strategy).title}: ${formatParams(spec.params)}`);
    output.out(
      `universe: ${spec.universe ?? 'custom'} (${outcome.symbols.join(', ')}); costs ${spec.costs.bps} bps + ${spec.costs.slippageBps} bps slippage${spec.costs.fixedFee ? ` + ${spec.costs.fixedFee} per order` : ''}; risk-free ${riskFreeLabel(spec)}\n`,
    );
    output.out(formatMetrics(outcome.metrics));
    for (const warning of outcome.warnings) output.out(`  warning: ${warning}`);
    output.out(
      id === null
        ? '\nnot stored (--no-store); counted as a trial of its family all the same (momentum trials)'
        : `\nstored as backtest ${id} (data ${outcome.dataFingerprint.slice(0, 19)}, code ${outcome.codeVersion}); momentum backtests show ${id}`,
    );
  });
}

export async function sweepAction(flags: SweepFlags, output: Output): Promise<void> {
  const spec = specFromFlags(flags);
  const grid = parseGrid(getStrategy(spec.strategy), flags.grid);
  const sort = parseChoice(flags.sort, 'sort', SWEEP_SORT_KEYS) ?? 'sharpe';
  const workers = parseIntegerOption(flags.workers, 'workers', 1, 64);
  const top = parseIntegerOption(flags.top, 'top', 1, 10_000) ?? 10;
  const chunkSize = parseIntegerOption(flags.chunkSize, 'chunk-size', 1, MAX_CHUNK_SIZE);
  if (chunkSize !== undefined && !flags.distributed) throw new ValidationError('chunk-size', 'goes with --distributed');
  const options = {
    storeTrades: flags.storeTrades ?? false,
    keepCurves: flags.curves ?? false,
    onProgress: flags.json ? undefined : sweepProgressReporter(output),
  };
  if (flags.distributed) {
    const { runDistributedSweep } = await import('../../jobs/distributed-sweep.js');
    return withDatabase(async (db, env) => {
      const result = await runDistributedSweep(db, env, config(env), spec, grid, {
        ...options,
        ...(chunkSize ? { chunkSize } : {}),
        onQueued: (sweepId, jobs) => {
          output.err(`sweep ${sweepId}: ${jobs} job(s) queued for the workers`);
          stopFollowingOnSignal(sweepId, output);
        },
        onNote: output.err,
      });
      printSweep(result, spec, sort, top, flags.json ?? false, output);
    });
  }
  await withDatabase(
    async (db) =>
      printSweep(
        await runSweep(db, spec, grid, { ...(workers ? { workers } : {}), ...options }),
        spec,
        sort,
        top,
        flags.json ?? false,
        output,
      ),
    undefined,
    // A sweep reads its panel once and writes its results: with a small cache the embedded engine
    // took ~100-150 MB less at its peak (1,000 combinations on 50 x 5,000 bars) for the same CPU time.
    // The optimising compiler's background work on PGlite's WebAssembly (~1 s of CPU) competed with
    // the workers on 2 cores: without it the same sweep took 2.9 s instead of 3.3 s, 470 MB instead of 540.
    { sharedBuffers: '32MB', baselineWasm: true },
  );
}

/** Ctrl-C or SIGTERM while following a distributed sweep: say where it goes on, and exit. */
function stopFollowingOnSignal(sweepId: number, output: Output): void {
  const stop = () => {
    output.err(
      `\nstopped following sweep ${sweepId}: its queued chunks go on on the workers (momentum backtests list --sweep ${sweepId} shows what is stored)`,
    );
    process.exit(130);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** A sweep's result as the command prints it, local or distributed alike. */
function printSweep(result: SweepResult, spec: BacktestSpec, sort: SweepSortKey, top: number, json: boolean, output: Output): void {
  const best = result.ranked(sort).slice(0, top);
  if (json)
    return output.out(
      JSON.stringify(
        {
          sweepId: result.sweepId,
          combinations: result.combinations,
          seconds: result.seconds,
          workers: result.workers,
          failed: result.failures,
          best,
        },
        null,
        2,
      ),
    );
  output.out(
    `sweep ${result.sweepId}: ${result.combinations} combinations of ${spec.strategy} in ${formatNumber(result.seconds, 1)} s on ${result.workers} worker(s); ${result.failures.length} failed`,
  );
  for (const failure of result.failures.slice(0, 5)) output.out(`  failed ${formatParams(failure.params)}: ${failure.error}`);
  output.out(`\nbest ${best.length} by ${sort}:`);
  output.out(
    formatTable(
      best.map((b) => ({
        backtest: b.backtestId,
        params: formatParams(b.params),
        sharpe: formatNumber(b.metrics.returns.sharpe, 2),
        cagr: formatPercent(b.metrics.returns.cagr, 2),
        max_drawdown: formatDrawdown(b.metrics.drawdown.maxDepthPct / 100),
        trades: b.metrics.trades.closed,
      })),
      ['backtest', 'params', 'sharpe', 'cagr', 'max_drawdown', 'trades'],
    ),
  );
  output.out(
    `\nthe best of ${result.combinations} trials is biased upwards: see momentum gate --sweep ${result.sweepId} for the deflated Sharpe ratio and PBO`,
  );
}

export async function listAction(
  flags: { strategy?: string; sweep?: string; limit?: string; json?: boolean },
  output: Output,
): Promise<void> {
  const sweepId = parseIntegerOption(flags.sweep, 'sweep', 1, Number.MAX_SAFE_INTEGER);
  const limit = parseIntegerOption(flags.limit, 'limit', 1, 100_000) ?? 20;
  await withLightDatabase(async (db) => {
    const rows = await listBacktests(db, {
      ...(flags.strategy ? { strategy: flags.strategy } : {}),
      ...(sweepId ? { sweepId } : {}),
      limit,
    });
    if (flags.json) return output.out(JSON.stringify(rows, null, 2));
    if (rows.length === 0) return output.out('no stored backtests yet: momentum backtest --strategy NAME --universe U');
    output.out(
      formatTable(
        rows.map((r) => ({
          id: r.id,
          sweep: r.sweepId,
          strategy: r.strategy,
          params: formatParams(r.params),
          period: `${r.periodFrom}..${r.periodTo}`,
          total_return: formatPercent(r.totalReturnPct === null ? null : r.totalReturnPct / 100, 2),
          cagr: formatPercent(r.cagr, 2),
          sharpe: formatNumber(r.sharpe, 2),
          max_drawdown: formatDrawdown(r.maxDrawdownPct === null ? null : r.maxDrawdownPct / 100),
          trades: r.trades,
        })),
        ['id', 'sweep', 'strategy', 'params', 'period', 'total_return', 'cagr', 'sharpe', 'max_drawdown', 'trades'],
      ),
    );
  });
}

export async function showAction(idText: string, flags: { trades?: boolean; json?: boolean }, output: Output): Promise<void> {
  const id = parseIntegerOption(idText, 'id', 1, Number.MAX_SAFE_INTEGER)!;
  await withLightDatabase(async (db) => {
    const stored = await getBacktest(db, id);
    const trades = flags.trades ? await getBacktestTrades(db, id) : undefined;
    if (flags.json) return output.out(JSON.stringify({ ...stored, ...(trades ? { trades } : {}) }, null, 2));
    output.out(
      `backtest ${stored.id}${stored.sweepId ? ` (sweep ${stored.sweepId})` : ''}: ${stored.spec.strategy} ${formatParams(stored.spec.params)}`,
    );
    output.out(`universe ${stored.spec.universe ?? 'custom'}: ${stored.symbols.join(', ')}; risk-free ${riskFreeLabel(stored.spec)}`);
    output.out(`data ${stored.dataFingerprint}; code ${stored.codeVersion}; created ${stored.createdAt.toISOString()}`);
    if (stored.dataUsed) output.out(`point-in-time data: ${describeDataUsed(stored.dataUsed)}`);
    output.out('');
    output.out(formatMetrics(stored.metrics));
    for (const warning of stored.warnings) output.out(`  warning: ${warning}`);
    if (trades) {
      output.out('');
      output.out(
        formatTable(
          trades.map((t) => ({
            ...t,
            // Whole-share backtests trade lots of 1; fractional ones have no lot.
            maxShares: formatShares(t.maxShares, stored.spec.wholeShares ? 1 : undefined),
            pnlNet: formatNumber(t.pnlNet, 2),
            entryPrice: formatNumber(t.entryPrice, 2),
            exitPrice: t.open ? MISSING : formatNumber(t.exitPrice, 2),
          })),
          ['symbol', 'direction', 'entry', 'exit', 'maxShares', 'entryPrice', 'exitPrice', 'pnlNet', 'barsHeld', 'open'],
        ),
      );
    }
  });
}

export async function rerunAction(idText: string, output: Output): Promise<void> {
  const id = parseIntegerOption(idText, 'id', 1, Number.MAX_SAFE_INTEGER)!;
  await withDatabase(async (db) => {
    const comparison = await compareWithStored(db, id);
    output.out(`backtest ${id} re-run from its stored spec:`);
    output.out(
      `  data fingerprint: ${comparison.sameData ? 'same' : `CHANGED (stored ${comparison.storedFingerprint}, now ${comparison.fingerprint})`}`,
    );
    output.out(`  code version: stored ${comparison.storedCodeVersion}, now ${comparison.codeVersion}`);
    output.out(
      comparison.differences.length === 0
        ? '  metrics: identical'
        : `  metrics: ${comparison.differences.length} differ:\n${comparison.differences.map((d) => `    ${d}`).join('\n')}`,
    );
    if (comparison.notStoredThen.length > 0)
      output.out(`  not stored then (added by a later version, not compared): ${comparison.notStoredThen.join(', ')}`);
    if (comparison.differences.length > 0) process.exitCode = 1;
  });
}

export async function deleteAction(idText: string, output: Output): Promise<void> {
  const id = parseIntegerOption(idText, 'id', 1, Number.MAX_SAFE_INTEGER)!;
  await withDatabase(async (db) => {
    if (!(await deleteBacktest(db, id))) throw new ValidationError('id', `backtest ${id} does not exist`);
    output.out(`deleted backtest ${id}`);
  });
}

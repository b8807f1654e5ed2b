/**
 * Issue 3 benchmarks: SMA cross 20/100 on 100 symbols x 5,000 days (signals, engine, and the whole
 * `momentum reference sma-cross` command with its CSV reading), 12-1 cross-sectional momentum on
 * 50 x 5,000, and a sweep of 1,000 combinations of it on worker threads.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULT_ENGINE_OPTIONS, runEngine } from '../src/backtest/engine.js';
import { smaCrossReference } from '../src/backtest/reference.js';
import { rebuildSweepCurves } from '../src/backtest/sweep-curves.js';
import { formatBarTime, MS_PER_DAY, type Bar } from '../src/data/bar.js';
import { writeBars } from '../src/data/bar-writer.js';
import type { Panel } from '../src/data/panel.js';
import { upsertInstruments } from '../src/data/price-store.js';
import { openDatabase } from '../src/db/database.js';
import { crossovers } from '../src/strategies/sma-cross.js';
import { emptyTargets } from '../src/strategies/strategy.js';
import { xsMomentum } from '../src/strategies/xs-momentum.js';
import { createRandom } from '../src/util/random.js';
import { createServerDatabase } from '../test/helpers/test-database.js';
import { fmt, median, report } from './bench-utils.js';
import { runCommand } from './command-runs.js';

type OhlcPanel = Panel<'open' | 'close' | 'adj_close' | 'adj_open'>;

/** Weekday calendar and 2-decimal random walks, the layout of ../shared/reference. */
export function randomPanel(symbols: number, days: number, seed: number): OhlcPanel {
  const random = createRandom(seed);
  const dates: number[] = [];
  for (let t = Date.UTC(2000, 0, 3); dates.length < days; t += MS_PER_DAY) if (![0, 6].includes(new Date(t).getUTCDay())) dates.push(t);
  const open: Float64Array[] = [];
  const close: Float64Array[] = [];
  for (let s = 0; s < symbols; s++) {
    const o = new Float64Array(days);
    const c = new Float64Array(days);
    let price = 50 + 100 * random.next();
    for (let d = 0; d < days; d++) {
      o[d] = Math.round(price * (1 + 0.005 * random.normal()) * 100) / 100;
      price = Math.max(1, price * Math.exp(0.0002 + 0.015 * random.normal()));
      c[d] = Math.round(price * 100) / 100;
    }
    open.push(o);
    close.push(c);
  }
  const symbolNames = Array.from({ length: symbols }, (_, s) => `SYM${String(s).padStart(4, '0')}`);
  return {
    interval: '1d',
    symbols: symbolNames,
    dates: Float64Array.from(dates),
    values: { open, close, adj_close: close, adj_open: open },
  };
}

function time(work: () => void, runs = 7): number {
  work(); // warm-up (JIT)
  const seconds: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    work();
    seconds.push((performance.now() - start) / 1000);
  }
  return median(seconds);
}

export async function benchSmaCross(): Promise<void> {
  console.log('\nSMA cross 20/100, 100 symbols x 5,000 days (reference rules: 100 shares a cross, fills next open)');
  const panel = randomPanel(100, 5000, 1);
  const bars = 100 * 5000;
  const n = panel.symbols.length;
  let signals = emptyTargets(5000, n);
  let rebalance = new Uint8Array(5000);
  const signalSeconds = time(() => {
    signals = emptyTargets(5000, n);
    rebalance = new Uint8Array(5000);
    panel.values.close.forEach((close, j) => {
      const cross = crossovers(close, 20, 100);
      for (let t = 0; t < 5000; t++) {
        if (!cross[t]) continue;
        signals[t * n + j] = cross[t]! > 0 ? 100 : 0;
        rebalance[t] = 1;
      }
    });
  });
  const engineSeconds = time(() =>
    runEngine(
      {
        dates: panel.dates,
        symbols: panel.symbols,
        open: panel.values.open,
        close: panel.values.close,
        schedule: { kind: 'shares', targets: signals, rebalance },
      },
      { ...DEFAULT_ENGINE_OPTIONS, initialCash: 1e9, wholeShares: true },
    ),
  );
  report('signals (exact SMAs, crossovers)', `${(signalSeconds * 1000).toFixed(1)} ms (${fmt(bars / signalSeconds / 1e6, 1)}M bars/s)`);
  report(
    'engine (orders, fills, trades, equity)',
    `${(engineSeconds * 1000).toFixed(1)} ms (${fmt(bars / engineSeconds / 1e6, 1)}M bars/s)`,
    'engine < 50 ms, >= 10M bars/s',
  );
  const result = smaCrossReference(panel);
  report('closed trades / open at end', `${result.summary.closed_trades} / ${result.summary.open_at_end}`);

  // The whole command, reading the CSVs: built CLI in a fresh process.
  const folder = mkdtempSync(join(tmpdir(), 'momentum-bench-sma-'));
  try {
    panel.symbols.forEach((symbol, j) => {
      const lines = Array.from(panel.dates, (t, d) => {
        const o = panel.values.open[j]![d]!;
        const c = panel.values.close[j]![d]!;
        return `${formatBarTime(t, '1d')},${o.toFixed(2)},${Math.max(o, c).toFixed(2)},${Math.min(o, c).toFixed(2)},${c.toFixed(2)},${c.toFixed(2)},1000`;
      });
      writeFileSync(join(folder, `${symbol}.csv`), `date,open,high,low,close,adj_close,volume\n${lines.join('\n')}\n`);
    });
    const command = runCommand(['reference', 'sma-cross', folder], {}, 3);
    const summary = JSON.parse(command.stdout) as { closed_trades: number };
    report(
      'whole command: momentum reference sma-cross (median of 3)',
      `${command.seconds.toFixed(2)} s (CPU ${command.cpuSeconds.toFixed(2)} s), ${fmt(command.peakRssMb)} MB, ${summary.closed_trades} closed trades`,
      '< 1.5 s',
    );
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

export function benchXsMomentum(): void {
  console.log('\n12-1 cross-sectional momentum, 50 symbols x 5,000 days, month-end, top 20%');
  const panel = randomPanel(50, 5000, 2);
  const params = { lookback: 252, skip: 21, topPct: 20, targetScale: 0.99, longShort: false, rebalance: 'month-end' as const, every: 21 };
  const schedule = xsMomentum.targets(panel, params);
  const strategySeconds = time(() => xsMomentum.targets(panel, params));
  const engineSeconds = time(() =>
    runEngine(
      { dates: panel.dates, symbols: panel.symbols, open: panel.values.open, close: panel.values.close, schedule },
      { ...DEFAULT_ENGINE_OPTIONS, wholeShares: true },
    ),
  );
  report('strategy (scores, ranks, targets)', `${(strategySeconds * 1000).toFixed(1)} ms`);
  report('engine', `${(engineSeconds * 1000).toFixed(1)} ms (${fmt((50 * 5000) / engineSeconds / 1e6, 1)}M bars/s)`, '< 20 ms');
}

/** Symbols x days of the sweep's panel: the bars each combination runs over. */
export const BARS_PER_COMBINATION = 50 * 5000;
export const SWEEP_GRID = {
  lookback: [63, 84, 105, 126, 147, 168, 189, 210, 231, 252],
  skip: [0, 5, 10, 15, 21],
  topPct: Array.from({ length: 20 }, (_, i) => 5 + i * 2.5),
};
const SWEEP_RUNS = 3;

/**
 * `momentum sweep` as a user runs it, in fresh processes (the median of three), on a store holding
 * the panel: the sweep's own time as the command reports it, the whole command's wall and CPU time,
 * and its peak memory (the embedded database included; PostgreSQL's server is not).
 */
export async function benchSweep(engine: 'pglite' | 'postgres'): Promise<void> {
  const workers = availableParallelism();
  const where = engine === 'pglite' ? 'embedded database on disk' : 'PostgreSQL';
  console.log(`\nsweep: 1,000 combinations of xs-momentum on 50 x 5,000 days, ${workers} worker threads, results stored (${where})`);
  const panel = randomPanel(50, 5000, 3);
  const server = engine === 'postgres' ? await createServerDatabase() : undefined;
  // On disk, as the `momentum` command keeps it (in memory, PGlite's growing files are copied on every resize).
  const home = mkdtempSync(join(tmpdir(), 'momentum-bench-sweep-'));
  try {
    const db = await openDatabase(server ? { url: server.url } : { home });
    try {
      await storePanel(db, panel);
    } finally {
      await db.close();
    }
    const env = { MOMENTUM_HOME: home, DATABASE_URL: server?.url ?? '' };
    const args = ['sweep', '--strategy', 'xs-momentum', '--symbols', panel.symbols.join(','), '--workers', String(workers), '--json'];
    for (const [name, values] of Object.entries(SWEEP_GRID)) args.push('--grid', `${name}=${values.join(',')}`);
    const runs = Array.from({ length: SWEEP_RUNS }, () => {
      const command = runCommand(args, env, 1);
      const output = JSON.parse(command.stdout) as { combinations: number; seconds: number; failed: unknown[] };
      return { ...command, sweepSeconds: output.seconds, combinations: output.combinations - output.failed.length };
    });
    const mid = <K extends 'seconds' | 'cpuSeconds' | 'sweepSeconds'>(key: K) => median(runs.map((run) => run[key]));
    const combos = runs[0]!.combinations;
    const seconds = mid('sweepSeconds');
    report(`${combos} combinations run and stored (median of ${SWEEP_RUNS})`, `${seconds.toFixed(2)} s wall`, '< 3 s on 2 cores');
    report(
      '  whole command (start, open the store, load, sweep, store)',
      `${mid('seconds').toFixed(2)} s wall, CPU ${mid('cpuSeconds').toFixed(2)} s`,
    );
    report(
      '  combinations/s; bar-combinations/s (50 x 5,000 bars each)',
      `${fmt(combos / seconds, 0)}; ${fmt((combos * BARS_PER_COMBINATION) / seconds / 1e6, 1)}M`,
    );
    report(
      '  peak memory (RSS) of the command',
      `${fmt(Math.max(...runs.map((run) => run.peakRssMb)))} MB${engine === 'pglite' ? ' (the embedded database included)' : ''}`,
      'peak < 500 MB',
    );
    // The sweep keeps metrics; the first read of its curves (a gate's PBO, a tearsheet) rebuilds them all.
    const sweepId = (JSON.parse(runs[runs.length - 1]!.stdout) as { sweepId: number }).sweepId;
    const reader = await openDatabase(server ? { url: server.url } : { home });
    try {
      const start = performance.now();
      const rebuilt = await rebuildSweepCurves(reader, sweepId, { workers });
      report(
        `  its ${rebuilt} equity curves rebuilt and stored on first read (in-process)`,
        `${((performance.now() - start) / 1000).toFixed(2)} s wall`,
      );
    } finally {
      await reader.close();
    }
  } finally {
    await server?.drop();
    rmSync(home, { recursive: true, force: true });
  }
}

export async function storePanel(db: Awaited<ReturnType<typeof openDatabase>>, panel: OhlcPanel): Promise<void> {
  await upsertInstruments(
    db,
    panel.symbols.map((symbol) => ({ symbol })),
    'bench',
  );
  const bars: Bar[] = [];
  panel.symbols.forEach((symbol, j) =>
    panel.dates.forEach((ts, d) => {
      const o = panel.values.open[j]![d]!;
      const c = panel.values.close[j]![d]!;
      bars.push({
        symbol,
        interval: '1d',
        ts,
        open: o,
        high: Math.max(o, c),
        low: Math.min(o, c),
        close: c,
        adj_close: c,
        volume: 1000,
        source: 'bench',
      });
    }),
  );
  await writeBars(db, bars);
}

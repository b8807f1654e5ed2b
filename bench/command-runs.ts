/**
 * Runs the built `momentum` command in fresh processes, as a user does, and measures what they
 * meet: the median wall time (process start to exit) and the largest peak resident memory. The
 * median CPU time (all threads) comes with it: on a busy machine the wall time mostly measures the
 * others' work, the CPU time much less.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { median } from './bench-utils.js';

const CLI = resolve(import.meta.dirname, '../dist/cli/cli.js');
const USAGE = resolve(import.meta.dirname, 'process-usage.mjs');

export interface CommandFigures {
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly peakRssMb: number;
  /** The largest JavaScript heap in use, sampled every 50 ms. */
  readonly peakHeapMb: number;
  readonly stdout: string;
}

/** @example const { seconds, peakRssMb } = runCommand(['data', 'summary'], { MOMENTUM_HOME: home }) */
export function runCommand(args: readonly string[], env: NodeJS.ProcessEnv, runs = 5, nodeFlags: readonly string[] = []): CommandFigures {
  const scratch = mkdtempSync(join(tmpdir(), 'momentum-bench-usage-'));
  const usageFile = join(scratch, 'usage.json');
  const seconds: number[] = [];
  const cpuSeconds: number[] = [];
  let peakKb = 0;
  let peakHeapKb = 0;
  let stdout = '';
  try {
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      const result = spawnSync(process.execPath, [...nodeFlags, '--import', USAGE, CLI, ...args], {
        env: { ...process.env, ...env, MOMENTUM_BENCH_USAGE_FILE: usageFile },
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
      });
      seconds.push((performance.now() - start) / 1000);
      if (result.status !== 0) throw new Error(`momentum ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
      const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as { maxRssKb: number; peakHeapKb: number; cpuMicros: number };
      peakKb = Math.max(peakKb, usage.maxRssKb);
      peakHeapKb = Math.max(peakHeapKb, usage.peakHeapKb);
      cpuSeconds.push(usage.cpuMicros / 1e6);
      stdout = result.stdout;
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return { seconds: median(seconds), cpuSeconds: median(cpuSeconds), peakRssMb: peakKb / 1024, peakHeapMb: peakHeapKb / 1024, stdout };
}

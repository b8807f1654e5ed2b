/**
 * Runs the built `momentum` command in fresh processes, as a user does, and measures what they
 * meet: the median wall time (process start to exit) and the largest peak resident memory.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { median } from './bench-utils.js';

const CLI = resolve(import.meta.dirname, '../dist/cli/cli.js');
const PEAK_RSS = resolve(import.meta.dirname, 'peak-rss.mjs');

export interface CommandFigures {
  readonly seconds: number;
  readonly peakRssMb: number;
  readonly stdout: string;
}

/** @example const { seconds, peakRssMb } = runCommand(['data', 'summary'], { MOMENTUM_HOME: home }) */
export function runCommand(args: readonly string[], env: NodeJS.ProcessEnv, runs = 5): CommandFigures {
  const scratch = mkdtempSync(join(tmpdir(), 'momentum-bench-rss-'));
  const rssFile = join(scratch, 'rss');
  const seconds: number[] = [];
  let peakKb = 0;
  let stdout = '';
  try {
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      const result = spawnSync(process.execPath, ['--import', PEAK_RSS, CLI, ...args], {
        env: { ...process.env, ...env, MOMENTUM_BENCH_RSS_FILE: rssFile },
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
      });
      seconds.push((performance.now() - start) / 1000);
      if (result.status !== 0) throw new Error(`momentum ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
      peakKb = Math.max(peakKb, Number(readFileSync(rssFile, 'utf8')));
      stdout = result.stdout;
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return { seconds: median(seconds), peakRssMb: peakKb / 1024, stdout };
}

/**
 * Issue 14 benchmarks: how fast the `momentum` command starts and how much memory a reading
 * command takes on the embedded database, the demo's, as a new user meets it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, report } from './bench-utils.js';
import { runCommand } from './command-runs.js';

const READ_COMMANDS: readonly (readonly string[])[] = [
  ['data', 'runs'],
  ['portfolio', 'list'],
  ['portfolio', 'show', 'demo-lump-sum'],
  ['backtests', 'list'],
  ['alerts'],
  ['jobs'],
  ['db', 'status'],
];

export function benchStartup(): void {
  console.log('\ncommand start-up on the embedded database (built CLI, fresh processes: median of 5 wall and CPU times, largest peak RSS)');
  const home = mkdtempSync(join(tmpdir(), 'momentum-bench-home-'));
  // Blank DATABASE_URL counts as unset: the embedded engine, whatever the caller's environment says.
  const env = { MOMENTUM_HOME: home, DATABASE_URL: '' };
  try {
    const demo = runCommand(['demo'], env, 1);
    report('the demo database, built by momentum demo (once)', `${demo.seconds.toFixed(1)} s, ${fmt(demo.peakRssMb)} MB`);
    const figures = (args: readonly string[], target: string) => {
      const { seconds, cpuSeconds, peakRssMb } = runCommand(args, env);
      report(`momentum ${args.join(' ')}`, `${seconds.toFixed(2)} s (CPU ${cpuSeconds.toFixed(2)} s), ${fmt(peakRssMb)} MB`, target);
    };
    figures(['--help'], '< 0.5 s');
    figures(['data', 'summary'], '< 0.5 s, < 200 MB');
    for (const args of READ_COMMANDS) figures(args, '< 1 s, < 200 MB');
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

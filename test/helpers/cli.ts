/** Runs the real `momentum` command, as built (dist/cli/cli.js; test/setup/built-cli.ts keeps it fresh), in a child process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `nodeFlags` go to node itself, e.g. `--max-old-space-size=96` to cap the heap. */
export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv, nodeFlags: readonly string[] = []): ChildProcess {
  // A TypeScript module given to the command (--jobs-module x.ts) needs the TypeScript loader, as a user runs it.
  const loader = args.some((arg) => arg.endsWith('.ts')) ? ['--import', 'tsx'] : [];
  return spawn(process.execPath, [...nodeFlags, ...loader, resolve(ROOT, 'dist/cli/cli.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function runCli(args: readonly string[], env: NodeJS.ProcessEnv, nodeFlags: readonly string[] = []): Promise<CliResult> {
  return finished(spawnCli(args, env, nodeFlags));
}

export function finished(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
}

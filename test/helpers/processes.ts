/**
 * Child processes a test starts are ended after it, passed or failed (SIGKILL to what still runs),
 * so a failing test leaves no service holding a port, a lock or a database behind.
 */
import type { ChildProcess } from 'node:child_process';
import { afterEach } from 'vitest';

export interface SpawnedProcesses {
  /** Registers `child` to be killed after the current test if it still runs; returns it. */
  track<T extends ChildProcess>(child: T): T;
}

/** Call at the top of a describe block (or file): registers the afterEach that kills leftovers. */
export function spawnedProcesses(): SpawnedProcesses {
  const running = new Set<ChildProcess>();
  afterEach(async () => {
    const left = [...running].filter((child) => child.exitCode === null && child.signalCode === null);
    running.clear();
    await Promise.all(
      left.map(
        (child) =>
          new Promise<void>((resolve) => {
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
  });
  return {
    track(child) {
      running.add(child);
      return child;
    },
  };
}

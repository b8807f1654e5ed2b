/**
 * The lock of the embedded database: taken atomically, its holder named, a dead holder's lock taken
 * over (this version's and older versions' pid-only file) and a live one never; and twenty real
 * processes contending for it, with and without a stale lock, are never inside together.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tryDirectoryLock } from '../../src/db/directory-lock.js';
import { processStartTime } from '../../src/util/process-alive.js';
import { finished } from '../helpers/cli.js';
import { spawnedProcesses } from '../helpers/processes.js';

/** A pid no process has here (above the default pid_max of 4194304 is never handed out). */
const DEAD_PID = 2 ** 22 + 4321;

/** A lock as this version writes it: the folder `path` holding one file named after its holder. */
function holderFile(path: string, name: string, content = '{}'): void {
  mkdirSync(path);
  writeFileSync(join(path, name), content);
}

describe('the embedded database lock', () => {
  let dir: string;
  let lockPath: string;
  const processes = spawnedProcesses();
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'momentum-lock-'));
    lockPath = join(dir, 'pgdata.lock');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is taken whole, names its live holder, and is free again once released', () => {
    const first = tryDirectoryLock(lockPath);
    if (!('lock' in first)) throw new Error('expected the lock');
    const second = tryDirectoryLock(lockPath);
    expect(second).toEqual({ holder: { pid: process.pid, command: expect.any(String) as string } });
    first.lock.release();
    const third = tryDirectoryLock(lockPath);
    expect('lock' in third).toBe(true);
    if ('lock' in third) third.lock.release();
    expect(existsSync(lockPath)).toBe(false);
  });

  it('takes over the lock of a dead holder: this version, an older version, and a pid reused by another process', () => {
    const stale = [
      () => writeFileSync(lockPath, '999999\n'), // what `echo 999999 > pgdata.lock` leaves
      () => writeFileSync(lockPath, String(DEAD_PID)),
      () => holderFile(lockPath, `${DEAD_PID}-12345`),
      // Our own pid, but another start time: the process that held it is gone and its pid reused.
      () => holderFile(lockPath, `${process.pid}-1`),
    ];
    for (const make of stale) {
      make();
      const attempt = tryDirectoryLock(lockPath);
      expect(attempt).toEqual({ lock: expect.anything() as unknown });
      if ('lock' in attempt) attempt.lock.release();
    }
  });

  it("never takes a live holder's lock, of this version or an older one", async () => {
    const sleeper = processes.track(spawn('sleep', ['600']));
    writeFileSync(lockPath, String(sleeper.pid));
    expect(tryDirectoryLock(lockPath)).toEqual({ holder: { pid: sleeper.pid, command: undefined } });
    rmSync(lockPath);
    const start = processStartTime(sleeper.pid!);
    holderFile(lockPath, `${sleeper.pid}-${start ?? ''}`, JSON.stringify({ command: 'momentum schedule' }));
    expect(tryDirectoryLock(lockPath)).toEqual({ holder: { pid: sleeper.pid, command: 'momentum schedule' } });
  });

  describe.each([
    ['no lock', () => undefined],
    ['a stale pid-only lock (echo 999999 > pgdata.lock)', (path: string) => writeFileSync(path, '999999\n')],
    ['a stale lock of a dead holder', (path: string) => holderFile(path, `${DEAD_PID}-777`)],
  ])('twenty real processes contending, starting from %s', (_, seed) => {
    it('are never inside together, and every round gets its turn', async () => {
      seed(lockPath);
      const log = join(dir, 'log');
      writeFileSync(log, '');
      const rounds = 5;
      const contender = resolve(__dirname, 'fixtures/lock-contender.ts');
      const children = Array.from({ length: 20 }, () =>
        processes.track(
          spawn(process.execPath, ['--import', 'tsx', contender, lockPath, String(rounds), log], { stdio: ['ignore', 'pipe', 'pipe'] }),
        ),
      );
      const results = await Promise.all(children.map((child) => finished(child)));
      for (const result of results) expect(result.code, result.stderr).toBe(0);
      const entries = readFileSync(log, 'utf8').trim().split('\n');
      expect(entries).toHaveLength(20 * rounds);
      expect(new Set(entries).size).toBe(20);
      expect(existsSync(lockPath)).toBe(false);
    });
  });
});

import { readFileSync } from 'node:fs';

/** Whether a process with this pid exists on this host (EPERM: it exists but belongs to another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * When a process started, in clock ticks since boot (field 22 of /proc/PID/stat), so a pid can be
 * told apart from a later process that reuses it; undefined where /proc is absent (macOS) or the
 * process is gone.
 * @example processStartTime(process.pid) // '1234567'
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Whether the process that had this pid and start time still runs (with no start time known, whether the pid does). */
export function isSameProcessAlive(pid: number, startTime: string | undefined): boolean {
  if (!isProcessAlive(pid)) return false;
  if (startTime === undefined) return true;
  const now = processStartTime(pid);
  return now === undefined || now === startTime;
}

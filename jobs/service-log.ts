/** The service's log: one timestamped line per event (credentials redacted), info to `out`, warnings and errors to `err`. */
import { redactSecrets } from '../src/util/redact.js';
import type { JobLogger } from './job.js';

type Write = (line: string) => void;

const stdout: Write = (line) => void process.stdout.write(`${line}\n`);
const stderr: Write = (line) => void process.stderr.write(`${line}\n`);

/** @example consoleLogger().info('ingest 2024-06-03T02:30:00.000Z (schedule): succeeded in 2.1 s (run 7)') */
export function consoleLogger(out: Write = stdout, err: Write = stderr, now: () => Date = () => new Date()): JobLogger {
  const line = (level: string, message: string) => `${now().toISOString()} ${level} ${redactSecrets(message).replace(/\r?\n/g, ' | ')}`;
  return {
    info: (message) => out(line('info ', message)),
    warn: (message) => err(line('warn ', message)),
    error: (message) => err(line('error', message)),
  };
}

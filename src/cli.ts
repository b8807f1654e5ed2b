#!/usr/bin/env node
/** The `momentum` command line. Each group of commands lives in src/cli/. */
import { CommanderError } from 'commander';
import { processOutput } from './cli/cli-context.js';
import { buildProgram } from './cli/program.js';
import { MomentumError } from './errors.js';
import { redactSecrets } from './util/redact.js';

async function main(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram(processOutput).parseAsync(argv as string[]);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    // A driver's error may quote a connection string: redacted like every diagnostic.
    if (error instanceof MomentumError) {
      process.stderr.write(`error: ${redactSecrets(error.message)}\n`);
    } else {
      process.stderr.write(`unexpected error: ${redactSecrets(error instanceof Error ? (error.stack ?? error.message) : String(error))}\n`);
    }
    process.exitCode = 1;
  }
}

await main(process.argv);
// Exit explicitly: PGlite leaves an Emscripten timer behind after close() (electric-sql/pglite#925),
// which would keep a finished command alive for 10 s or more. Writes to stdout/stderr are synchronous
// on files and pipes here, so nothing printed is lost.
process.exit(process.exitCode ?? 0);

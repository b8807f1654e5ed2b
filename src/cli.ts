#!/usr/bin/env node
/** The `momentum` command line. Each group of commands lives in src/cli/. */
import { Command, CommanderError } from 'commander';
import { registerBacktestCommands } from './cli/backtest-commands.js';
import { registerDataCommands } from './cli/data-commands.js';
import { registerDbCommands } from './cli/db-commands.js';
import { registerDemoCommand } from './cli/demo-command.js';
import { registerJobCommands } from './cli/job-commands.js';
import { registerMonitorCommands } from './cli/monitor-commands.js';
import { registerPortfolioCommands } from './cli/portfolio-commands.js';
import { registerReferenceCommand } from './cli/reference-command.js';
import { registerResearchCommands } from './cli/research-commands.js';
import { registerServeCommands } from './cli/serve-command.js';
import { registerSubscriberCommands } from './cli/subscriber-commands.js';
import { processOutput } from './cli/cli-context.js';
import { MomentumError } from './errors.js';
import { packageVersion } from './util/package-root.js';
import { redactSecrets } from './util/redact.js';

function buildProgram(): Command {
  const program = new Command('momentum')
    .description('momentum investing across asset classes: data, backtests, research gates, portfolios')
    .version(packageVersion())
    .showHelpAfterError()
    .exitOverride();
  registerDemoCommand(program, processOutput);
  registerDbCommands(program, processOutput);
  registerDataCommands(program, processOutput);
  registerReferenceCommand(program, processOutput);
  registerBacktestCommands(program, processOutput);
  registerResearchCommands(program, processOutput);
  registerServeCommands(program, processOutput);
  registerJobCommands(program, processOutput);
  registerMonitorCommands(program, processOutput);
  registerPortfolioCommands(program, processOutput);
  registerSubscriberCommands(program, processOutput);
  return program;
}

async function main(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv as string[]);
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

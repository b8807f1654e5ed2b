/** The `momentum` command tree; src/cli.ts runs it, tests walk it. */
import { Command } from 'commander';
import { registerBacktestCommands } from './backtest-commands.js';
import type { Output } from './cli-context.js';
import { registerDataCommands } from './data-commands.js';
import { registerDbCommands } from './db-commands.js';
import { registerDemoCommand } from './demo-command.js';
import { registerJobCommands } from './job-commands.js';
import { registerMonitorCommands } from './monitor-commands.js';
import { registerPortfolioCommands } from './portfolio-commands.js';
import { registerReferenceCommand } from './reference-command.js';
import { registerReportCommands } from './report-commands.js';
import { registerResearchCommands } from './research-commands.js';
import { registerServeCommands } from './serve-command.js';
import { registerSubscriberCommands } from './subscriber-commands.js';
import { packageVersion } from '../util/package-root.js';
import { loadUserStrategies } from './user-strategies.js';

export function buildProgram(output: Output): Command {
  const program = new Command('momentum')
    .description('momentum investing across asset classes: data, backtests, research gates, portfolios')
    .version(packageVersion())
    .option(
      '--strategy-file <file>',
      "load strategies of your own from a .ts/.js file (repeatable; besides the config's strategies list)",
      (file: string, files: string[] = []) => [...files, file],
    )
    .showHelpAfterError()
    .exitOverride();
  // Before any command runs: the user's strategies, so every command (and its worker threads) knows them.
  program.hook('preAction', async () => loadUserStrategies(program.opts<{ strategyFile?: string[] }>().strategyFile ?? []));
  registerDemoCommand(program, output);
  registerDbCommands(program, output);
  registerDataCommands(program, output);
  registerReferenceCommand(program, output);
  registerBacktestCommands(program, output);
  registerResearchCommands(program, output);
  registerReportCommands(program, output);
  registerServeCommands(program, output);
  registerJobCommands(program, output);
  registerMonitorCommands(program, output);
  registerPortfolioCommands(program, output);
  registerSubscriberCommands(program, output);
  return program;
}

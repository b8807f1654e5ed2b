/** `momentum strategies`, `momentum backtest`, `momentum backtests list|show|rerun|delete`, `momentum sweep`: definitions only. */
import type { Command } from 'commander';
import type { Output } from './cli-context.js';
import { dateArgument } from './options.js';
import type { BacktestFlags, SweepFlags } from './backtest-actions.js';
import { collect, costOptions, paramOption, symbolOptions } from './spec-options.js';

const actions = () => import('./backtest-actions.js');

/** Options shared by `backtest` and `sweep`: what to trade, when, and how. */
export function tradingOptions(command: Command): Command {
  const what = symbolOptions(command.requiredOption('--strategy <name>', 'a strategy (see momentum strategies)'))
    .option('--from <date>', 'first trading date YYYY-MM-DD (earlier bars warm up the signals)', dateArgument)
    .option('--to <date>', 'last date YYYY-MM-DD', dateArgument);
  return costOptions(paramOption(what).option('--cash <amount>', 'initial cash (default 1000000)'))
    .option('--whole-shares', 'trade whole shares only')
    .option('--fill <when>', 'next-open (default) or next-close')
    .option('--allow-short', 'let negative targets short')
    .option('--max-leverage <x>', 'gross exposure allowed, multiple of equity (default 1)')
    .option('--benchmark <symbol>', 'compare with buy-and-hold of this symbol')
    .option(
      '--risk-free <rate|symbol>',
      "for Sharpe, Sortino, alpha and the gates: an annual rate (0.02) or a stored symbol's returns (a T-bill fund); default 0",
    );
}

export function registerBacktestCommands(program: Command, output: Output): void {
  program
    .command('strategies')
    .description('the strategy library: parameters, defaults and sweep ranges')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => (await actions()).strategiesAction(flags, output));

  tradingOptions(program.command('backtest').description('run one backtest, print its metrics and store it'))
    .option('--json', 'print the result as JSON')
    .option('--no-store', 'do not store the result')
    .action(async (flags: BacktestFlags) => (await actions()).backtestAction(flags, output));

  tradingOptions(
    program
      .command('sweep')
      .description(
        'run every combination of a parameter grid on worker threads (or on `momentum worker`s: --distributed) and store each result',
      ),
  )
    .option('--grid <k=v1,v2>', "values of one parameter, repeatable (default: the strategy's documented sweep ranges)", collect, [])
    .option('--workers <n>', 'worker threads (default: all cores)')
    .option('--top <n>', 'how many of the best to print (default 10)')
    .option('--sort <metric>', 'sharpe | cagr | sortino | calmar | total-return (default sharpe)')
    .option('--store-trades', "store every combination's trades too (default: metrics only)")
    .option('--curves', "store every combination's equity curve (default: rebuilt and stored when a gate or a report reads it)")
    .option(
      '--distributed',
      'queue the combinations in chunks for `momentum worker` processes on any machines (PostgreSQL only) and follow them',
    )
    .option('--chunk-size <n>', 'with --distributed: combinations per job (default: jobs.chunkSize of the configuration, 50)')
    .option('--json', 'print the result as JSON')
    .action(async (flags: SweepFlags) => (await actions()).sweepAction(flags, output));

  const backtests = program.command('backtests').description('stored backtests');
  backtests
    .command('list')
    .description('recent backtests with their key figures')
    .option('--strategy <name>', 'only this strategy')
    .option('--sweep <id>', 'only this sweep')
    .option('--limit <n>', 'how many (default 20)')
    .option('--json', 'print JSON')
    .action(async (flags: { strategy?: string; sweep?: string; limit?: string; json?: boolean }) =>
      (await actions()).listAction(flags, output),
    );
  backtests
    .command('show <id>')
    .description('one backtest: spec, provenance, metrics, warnings (and trades)')
    .option('--trades', 'list the trades')
    .option('--json', 'print JSON')
    .action(async (id: string, flags: { trades?: boolean; json?: boolean }) => (await actions()).showAction(id, flags, output));
  backtests
    .command('rerun <id>')
    .description('re-run a stored backtest from its stored spec and compare: same data fingerprint, same metrics')
    .action(async (id: string) => (await actions()).rerunAction(id, output));
  backtests
    .command('delete <id>')
    .description('delete a stored backtest with its equity curve and trades')
    .action(async (id: string) => (await actions()).deleteAction(id, output));
}

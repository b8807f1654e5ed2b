/** `momentum gate`, `simulate`, `simulations`, `trials`, `walkforward`: definitions only (work in research-actions.ts). */
import type { Command } from 'commander';
import type { BacktestFlags } from './backtest-actions.js';
import { tradingOptions } from './backtest-commands.js';
import type { Output } from './cli-context.js';
import { dateArgument } from './options.js';
import type { GateFlags, SimulateFlags, WalkForwardFlags } from './research-actions.js';

const actions = () => import('./research-actions.js');

/** Threshold flags, shared by gate and simulate (which gates a backtest first when it has no verdict). */
function gateOptions(command: Command): Command {
  return command
    .option('--gates <name>', 'a named gate set from the configuration file (default: default)')
    .option('--min-sharpe <x>', 'minimum annualised Sharpe ratio')
    .option('--min-cagr <x>', 'minimum CAGR, a fraction (0.05 = 5%)')
    .option('--max-drawdown <x>', 'maximum drawdown, a fraction (0.3 = 30%)')
    .option('--min-trades <n>', 'minimum closed trades')
    .option('--min-dsr <p>', 'minimum deflated Sharpe ratio (a probability)')
    .option('--max-pbo <p>', 'maximum probability of backtest overfitting')
    .option('--pbo-blocks <s>', "CSCV blocks S for the PBO of the backtest's family (even, default 16)")
    .option('--trim', 'drop the oldest T mod S returns from the PBO, so that every block has the same rows');
}

export function registerResearchCommands(program: Command, output: Output): void {
  gateOptions(program.command('gate').description('judge a backtest (or every backtest of a sweep) against a gate set; store the verdict'))
    .option('--backtest <id>', 'a stored backtest')
    .option('--sweep <id>', 'every backtest of a stored sweep (one PBO for the sweep, a DSR for each)')
    .option('--json', 'print JSON')
    .action(async (flags: GateFlags) => (await actions()).gateAction(flags, output));

  gateOptions(
    program.command('simulate').description('re-run a stored backtest, with its stored hyperparameters, on data after its period'),
  )
    .requiredOption('--backtest <id>', 'the in-sample backtest')
    .option('--from <date>', 'first out-of-sample date (default: the day after the backtest period)', dateArgument)
    .option('--to <date>', 'last date (default: the latest data)', dateArgument)
    .option('--allow-overlap', 'let the period overlap the in-sample one (recorded)')
    .option('--ignore-gates', 'simulate even if the backtest failed its gates (recorded)')
    .option('--json', 'print JSON')
    .action(async (flags: SimulateFlags) => (await actions()).simulateAction(flags, output));

  program
    .command('simulations')
    .description('stored out-of-sample simulations with their in-sample vs out-of-sample comparison')
    .option('--backtest <id>', 'only those of this backtest')
    .option('--json', 'print JSON')
    .action(async (flags: { backtest?: string; json?: boolean }) => (await actions()).simulationsAction(flags, output));

  program
    .command('trials')
    .description('research families (strategy, universe, interval, in-sample period) with how many configurations were tried in each')
    .option('--family <id>', "one family's trials: configuration, source, runs, Sharpe")
    .option('--strategy <name>', 'only the families of this strategy (or selection)')
    .option('--limit <n>', 'how many families (default 50)')
    .option('--json', 'print JSON')
    .action(async (flags: { family?: string; strategy?: string; limit?: string; json?: boolean }) =>
      (await import('./trial-actions.js')).trialsAction(flags, output),
    );

  tradingOptions(
    program.command('walkforward').description('walk-forward analysis: sweep in-sample, run the pick out of sample, window after window'),
  )
    .option(
      '--grid <k=v1,v2>',
      "values of one parameter, repeatable (default: the strategy's sweep ranges)",
      (v: string, p: string[]) => [...p, v],
      [],
    )
    .option('--train <span>', 'training span: bars, or years/months like 3y, 18m (default 3y)')
    .option('--test <span>', 'test span, same units (default 1y)')
    .option('--anchored', 'keep the training start fixed and grow it (default: rolling)')
    .option('--select-by <metric>', 'sharpe | cagr | sortino | calmar | total-return (default sharpe)')
    .option('--json', 'print JSON')
    .action(async (flags: WalkForwardFlags & BacktestFlags) => (await actions()).walkForwardAction(flags, output));
}

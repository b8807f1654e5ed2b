/** `momentum portfolio create|show|rebalance|history|list|sip-backtest`: definitions only (work in portfolio-actions.ts). */
import type { Command } from 'commander';
import type { Output } from './cli-context.js';
import { dateArgument } from './options.js';
import type { CreateFlags, RebalanceFlags, SipBacktestFlags } from './portfolio-actions.js';
import { costOptions, paramOption, symbolOptions } from './spec-options.js';

const actions = () => import('./portfolio-actions.js');

function strategyOptions(command: Command): Command {
  const strategy = command
    .option('--strategy <name>', 'a strategy (see momentum strategies)')
    .option('--backtest <id>', 'take strategy, hyperparameters, universe and interval from a stored backtest');
  return costOptions(paramOption(symbolOptions(strategy))).option('--lot-size <n>', 'shares per tradable lot (default 1)');
}

export function registerPortfolioCommands(program: Command, output: Output): void {
  const portfolio = program.command('portfolio').description('model portfolios: generate, store, rebalance, follow');

  strategyOptions(portfolio.command('create').description('generate a portfolio for an amount and store it as a model portfolio'))
    .argument('<name>', 'the model portfolio name')
    .requiredOption('--amount <money>', 'money invested now (the lump sum, or the first SIP installment)')
    .option('--sip <installment>', 'a SIP: this much new money every period after the first')
    .option('--every <period>', 'SIP frequency: week, month (default) or quarter')
    .option('--count <n>', 'SIP installments, the first included (default: open-ended)')
    .option('--optimizer <name>', "none (default: the strategy's weights) or mpo (trade toward them as far as forecasts pay for the costs)")
    .option('--currency <code>', 'the portfolio currency (default USD)')
    .option('--dividends <policy>', 'cash (default: credited to cash on the ex-date) or reinvest (whole shares at the ex-date close)')
    .option('--as-of <date>', 'generate as of this day, YYYY-MM-DD (default today)', dateArgument)
    .option('--ignore-gates', 'generate even if the backtest failed its gates or there is none (said loudly)')
    .option('--gates <name>', 'gate set for a backtest without a verdict (default: default)')
    .option('--allow-stale', 'use data older than --max-age (said in the warnings)')
    .option('--max-age <days>', 'calendar days the last bar may lag the as-of day (default 5 for daily bars)')
    .option('--dry-run', 'show the portfolio, store nothing')
    .option('--json', 'print JSON')
    .action(async (name: string, flags: CreateFlags) => (await actions()).createAction(name, flags, output));

  portfolio
    .command('show')
    .argument('<name>', 'a model portfolio')
    .description('the latest holdings, why each was chosen, the holding period and the evidence')
    .option('--amount <money>', "scale the holdings to a subscriber's amount")
    .option('--json', 'print JSON')
    .action(async (name: string, flags: { amount?: string; json?: boolean }) => (await actions()).showAction(name, flags, output));

  portfolio
    .command('rebalance')
    .argument('<name>', 'a model portfolio')
    .description('new targets on fresh data and the trade list (sells first), previous and new weights side by side')
    .option('--as-of <date>', 'rebalance as of this day (default today)', dateArgument)
    .option('--mode <mode>', 'full or contribution (default: contribution for a SIP whose signal is unchanged, else full)')
    .option('--allow-stale', 'use data older than the portfolio allows')
    .option('--dry-run', 'show the trades, store nothing')
    .option('--json', 'print JSON')
    .action(async (name: string, flags: RebalanceFlags) => (await actions()).rebalanceAction(name, flags, output));

  portfolio
    .command('history')
    .argument('<name>', 'a model portfolio')
    .description('every rebalance: date, signal, value, cash, turnover, costs, orders')
    .option('--json', 'print JSON')
    .action(async (name: string, flags: { json?: boolean }) => (await actions()).historyAction(name, flags, output));

  portfolio
    .command('list')
    .description('model portfolios with their latest rebalance')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => (await actions()).listAction(flags, output));

  strategyOptions(
    portfolio.command('sip-backtest').description('a SIP against a lump sum of the same money on history: XIRR, TWR, final value'),
  )
    .requiredOption('--installment <money>', 'money invested at each installment')
    .option('--every <period>', 'week, month (default) or quarter')
    .option('--count <n>', 'installments (default: every period from --from to the end)')
    .option('--from <date>', 'first installment on or after this day', dateArgument)
    .option('--to <date>', 'last day of the backtest', dateArgument)
    .option('--full-rebalance <when>', 'never, on-signal (default) or every N installments (a number)')
    .option('--json', 'print JSON')
    .action(async (flags: SipBacktestFlags) => (await actions()).sipBacktestAction(flags, output));
}

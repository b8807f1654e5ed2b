/** `momentum report backtest ID [--vs ID2 ...] [--out file.html]`, `momentum report sweep ID [...]`: definitions only. */
import type { Command } from 'commander';
import type { Output } from './cli-context.js';
import type { SweepReportFlags, TearsheetFlags } from './report-actions.js';
import { collect } from './spec-options.js';

const actions = () => import('./report-actions.js');

export function registerReportCommands(program: Command, output: Output): void {
  const report = program.command('report').description('reports as HTML pages');
  report
    .command('backtest <id>')
    .description(
      'the tearsheet of a stored backtest: equity, drawdowns, monthly returns, rolling statistics, distribution, exposure, trades',
    )
    .option('--vs <ids...>', 'other stored backtests, side by side in the summary table and the equity and drawdown charts')
    .option('--out <file>', 'where to write the page (default: MOMENTUM_HOME/reports/backtest-ID.html)')
    .action(async (id: string, flags: TearsheetFlags) => (await actions()).tearsheetAction(id, flags, output));
  report
    .command('sweep <id>')
    .description('a stored sweep: heatmap of a metric over two parameters, parallel coordinates, every combination, its gate verdict')
    .option(
      '--metric <name>',
      'sharpe (default), sortino, calmar, cagr, total-return, volatility, max-drawdown, win-rate, profit-factor, trades, turnover, time-in-market',
    )
    .option('--x <param>', 'the heatmap across (default: the first swept parameter)')
    .option('--y <param>', 'the heatmap down (default: the second)')
    .option('--aggregate <how>', 'mean (default), median, max or min over the other swept parameters, in each cell')
    .option('--fix <k=v>', 'hold another swept parameter at a value instead of aggregating over it (repeatable)', collect, [])
    .option('--out <file>', 'where to write the page (default: MOMENTUM_HOME/reports/sweep-ID.html)')
    .action(async (id: string, flags: SweepReportFlags) => (await actions()).sweepReportAction(id, flags, output));
}

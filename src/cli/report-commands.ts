/** `momentum report backtest ID [--vs ID2 ...] [--out file.html]`: definitions only. */
import type { Command } from 'commander';
import type { Output } from './cli-context.js';
import type { TearsheetFlags } from './report-actions.js';

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
}

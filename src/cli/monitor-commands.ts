/** `momentum monitor` and `momentum alerts`: post-trade monitoring of the model portfolios. */
import type { Command } from 'commander';
import { ValidationError } from '../errors.js';
import type { MonitorAlert } from '../monitor/monitor-store.js';
import { PRICE_BASES } from '../monitor/monitor-options.js';
import type { MonitorResult } from '../monitor/monitor-portfolios.js';
import type { PortfolioMonitorState } from '../monitor/portfolio-state.js';
import { formatNumber, formatPercent, formatShares } from '../report/report-format.js';
import { formatTable } from '../util/table.js';
import { withDatabase, withLightDatabase, type Output } from './cli-context.js';
import { dateArgument, parseChoice, parseIntegerOption } from './options.js';

export interface MonitorFlags {
  portfolio?: string;
  asOf?: string;
  thresholds?: string;
  positionThresholds?: string;
  trailingStop?: string;
  staleDays?: string;
  basis?: string;
  strategyCheck?: boolean;
  json?: boolean;
}

export interface AlertsFlags {
  portfolio?: string;
  open?: boolean;
  limit?: string;
  json?: boolean;
}

export function registerMonitorCommands(program: Command, output: Output): void {
  program
    .command('monitor')
    .description('value each model portfolio on the latest bars: drawdown, drift, exit checks, data age; store new drawdown alerts')
    .option('--portfolio <name>', 'one portfolio (default: all)')
    .option('--as-of <date>', 'value with bars up to this date (default: today, UTC)', dateArgument)
    .option('--thresholds <list>', 'drawdown alert thresholds in percent for the portfolio and positions (default 5,10,20)')
    .option('--position-thresholds <list>', 'thresholds for positions only, in percent (default: --thresholds)')
    .option('--trailing-stop <percent>', 'flag positions this far below their peak since entry')
    .option('--stale-days <n>', "calendar days after which a last bar is stale (default: the portfolio's max data age)")
    .option(
      '--basis <basis>',
      'how position drawdowns are measured: close (price per share held, splits applied) or total-return (dividends reinvested); values are money either way',
      'close',
    )
    .option('--no-strategy-check', 'skip running the strategy to see whether it still holds each position')
    .option('--json', 'print JSON')
    .action(async (flags: MonitorFlags) => monitorAction(flags, output));

  program
    .command('alerts')
    .description('stored drawdown alerts, newest first')
    .option('--portfolio <name>', 'one portfolio (default: all)')
    .option('--open', 'only episodes not yet recovered')
    .option('--limit <n>', 'at most this many (default 100)')
    .option('--json', 'print JSON')
    .action(async (flags: AlertsFlags) => alertsAction(flags, output));
}

export async function monitorAction(flags: MonitorFlags, output: Output): Promise<void> {
  const basis = parseChoice(flags.basis, 'basis', PRICE_BASES);
  const thresholds = percentList(flags.thresholds, 'thresholds');
  const positionThresholds = percentList(flags.positionThresholds, 'position-thresholds');
  const options = {
    portfolio: flags.portfolio,
    asOf: flags.asOf,
    thresholds:
      thresholds === undefined && positionThresholds === undefined
        ? undefined
        : { portfolio: thresholds, position: positionThresholds ?? thresholds },
    trailingStop: flags.trailingStop === undefined ? undefined : percentValue(flags.trailingStop, 'trailing-stop'),
    staleAfterDays: parseIntegerOption(flags.staleDays, 'stale-days', 0, 3650),
    basis,
    strategyCheck: flags.strategyCheck !== false,
  } as const;
  const { monitorPortfolios } = await import('../monitor/monitor-portfolios.js');
  const result = await withDatabase((db) => monitorPortfolios(db, options));
  if (flags.json) output.out(JSON.stringify(result, null, 2));
  else printResult(result, output);
  for (const f of result.failed) output.err(`error: portfolio ${f.portfolio}: ${f.error}`);
  if (result.failed.length > 0) process.exitCode = 1;
}

export async function alertsAction(flags: AlertsFlags, output: Output): Promise<void> {
  const limit = parseIntegerOption(flags.limit, 'limit', 1, 100_000);
  const { listAlerts } = await import('../monitor/monitor-store.js');
  const alerts = await withLightDatabase((db) => listAlerts(db, { portfolio: flags.portfolio, open: flags.open, limit }));
  if (flags.json) return output.out(JSON.stringify(alerts, null, 2));
  if (alerts.length === 0) return output.out('no alerts');
  output.out(
    formatTable(alerts.map(alertRow), ['id', 'portfolio', 'scope', 'threshold', 'drawdown', 'observed', 'peak', 'rebalance', 'ended']),
  );
}

function printResult(result: MonitorResult, output: Output): void {
  output.out(`monitor as of ${result.asOf}`);
  for (const state of result.portfolios) printState(state, output);
  for (const s of result.skipped) output.out(`\nportfolio ${s.portfolio}: skipped, ${s.reason}`);
  if (result.newAlerts.length === 0) {
    output.out('\nno new alerts');
    return;
  }
  output.out(`\nnew alerts (${result.newAlerts.length}):`);
  output.out(
    formatTable(result.newAlerts.map(alertRow), [
      'id',
      'portfolio',
      'scope',
      'threshold',
      'drawdown',
      'observed',
      'peak',
      'rebalance',
      'ended',
    ]),
  );
}

function printState(s: PortfolioMonitorState, output: Output): void {
  output.out('');
  output.out(
    `portfolio ${s.portfolio} (${s.strategy}, ${s.currency}): value ${money(s.value)}, drawdown ${pct(s.drawdown)} from ${money(s.peakValue)} on ${s.peakDate} (worst ${pct(s.maxDrawdown)})`,
  );
  output.out(
    `  since the rebalance on ${s.rebalanceDate}: ${pct(s.returnSinceRebalance)}; drift from targets ${pct(s.drift.total)}; cash ${money(s.cash)} (${pct(s.drift.cash.weight)}, target ${pct(s.drift.cash.targetWeight)})`,
  );
  output.out(
    `  data: last bar ${s.lastBarDate ?? 'none since the rebalance'}${s.data.ageDays === null ? '' : `, oldest ${s.data.ageDays} day(s) old`}${s.data.staleSymbols.length > 0 ? `; stale: ${s.data.staleSymbols.join(', ')}` : ''}`,
  );
  if (s.positions.length > 0) {
    const rows = s.positions.map((p) => ({
      symbol: p.symbol,
      shares: formatShares(p.shares),
      price: money(p.price),
      value: money(p.value),
      weight: pct(p.weight),
      target: pct(p.targetWeight),
      drift: pct(p.drift),
      drawdown: pct(p.drawdown),
      peak: `${money(p.peakPrice)} ${p.peakDate}`,
      'last bar': p.lastBarDate ?? 'none',
      age: p.ageDays,
      strategy: p.strategy.verdict,
    }));
    output.out(
      indent(
        formatTable(rows, [
          'symbol',
          'shares',
          'price',
          'value',
          'weight',
          'target',
          'drift',
          'drawdown',
          'peak',
          'last bar',
          'age',
          'strategy',
        ]),
      ),
    );
  }
  if (s.exitRule) output.out(`  exit rule (${s.strategy}): ${s.exitRule}`);
  for (const e of s.exitSignals) output.out(`  EXIT ${e.message}`);
  for (const w of s.warnings) output.out(`  warning: ${w}`);
}

function alertRow(a: MonitorAlert) {
  return {
    id: a.id,
    portfolio: a.portfolio,
    scope: a.symbol ?? 'portfolio',
    threshold: pct(a.threshold),
    drawdown: pct(a.drawdown),
    observed: a.observedAt,
    peak: `${money(a.peakValue)} on ${a.peakDate}`,
    rebalance: a.rebalanceId,
    ended: a.recoveredAt === null ? 'open' : `${a.resolution} ${a.recoveredAt}`,
  };
}

/** `5,10,20` or `-5,-10` -> fractions (sign ignored). */
function percentList(value: string | undefined, option: string): number[] | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(',').map((s) => s.trim());
  if (parts.some((s) => s === ''))
    throw new ValidationError(option, `expected percentages separated by commas (5,10,20), got ${JSON.stringify(value)}`);
  return parts.map((s) => percentValue(s, option));
}

function percentValue(value: string, option: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || Math.abs(n) <= 0 || Math.abs(n) >= 100) {
    throw new ValidationError(option, `expected a percentage between 0 and 100 (e.g. 10 for 10%), got ${JSON.stringify(value)}`);
  }
  return Math.abs(n) / 100;
}

const pct = (x: number) => formatPercent(x, 1);
const money = (x: number) => formatNumber(x, 2);
const indent = (text: string) =>
  text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');

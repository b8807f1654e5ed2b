/**
 * The baselines as a researcher uses them, on the real ETFs of ../shared/data: buy-and-hold goes
 * through backtest, sweep, gate, simulate and portfolio create like any strategy; `--benchmark`
 * shows the benchmark's figures beside the strategy's; `--risk-free` is stored and shown; the
 * warm-up is said.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnvironment, type CliEnvironment } from '../helpers/cli-env.js';
import { runCli } from '../helpers/cli.js';
import { engineName } from '../helpers/test-database.js';

const ETF = resolve(__dirname, '../../../shared/data/etf-daily');
const IN_SAMPLE = ['--from', '2006-01-01', '--to', '2014-12-31'];
const UNIVERSE = ['--symbols', 'SPY,TLT,GLD'];

describe(`buy-and-hold, --benchmark and --risk-free in the CLI (${engineName})`, () => {
  let cli: CliEnvironment;
  const run = (args: string[]) => runCli(args, cli.env);
  beforeAll(async () => {
    cli = await cliEnvironment();
    const ingest = await run(['ingest', '--source', 'csv', '--path', ETF, '--symbols', 'SPY,TLT,GLD,SHY']);
    expect(ingest.code, ingest.stderr).toBe(0);
  });
  afterAll(async () => {
    await cli.dispose();
  });

  it('backtest prints the benchmark side by side, the risk-free rate and the warm-up; show reads them back', async () => {
    const args = ['backtest', '--strategy', 'ma-trend', ...UNIVERSE, '--from', '2005-06-01', '--to', '2014-12-31', '--benchmark', 'SPY'];
    const result = await run([...args, '--risk-free', 'SHY']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("risk-free SHY's returns");
    expect(result.stdout).toMatch(/^\s+strategy\s+buy-and-hold SPY$/m);
    for (const label of ['CAGR', 'volatility \\(ann\\.\\)', 'Sharpe', 'Sortino', 'max drawdown', 'Calmar'])
      expect(result.stdout).toMatch(new RegExp(`^\\s+${label}\\s+-?[\\d.]+%?\\s+-?[\\d.]+%?$`, 'm'));
    expect(result.stdout).toMatch(/^\s+max drawdown\s+-[\d.]+%\s+-5\d\.\d\d%$/m); // SPY's 2007-2009 fall, about 55%, negative as in the tables
    // GLD starts 2004-11-18: its 210-bar average exists from 2005-09, after the start.
    expect(result.stdout).toMatch(
      /warm-up\s+full signal from 2005-09-\d\d, \d+ bars \(\d+ days\) after the start; \d+ bars in cash before it/,
    );
    expect(result.stdout).toMatch(/risk-free rate \(ann\.\)\s+[\d.]+%/);
    const id = /stored as backtest (\d+)/.exec(result.stdout)![1]!;
    const shown = await run(['backtests', 'show', id]);
    expect(shown.stdout).toContain("risk-free SHY's returns");
    expect(shown.stdout).toMatch(/^\s+Sharpe\s+-?[\d.]+\s+-?[\d.]+$/m);
    const json = JSON.parse((await run(['backtests', 'show', id, '--json'])).stdout) as {
      spec: { riskFreeSymbol: string | null };
      metrics: { benchmark: { sharpe: number }; warmUp: { barsBefore: number } };
    };
    expect(json.spec.riskFreeSymbol).toBe('SHY');
    expect(typeof json.metrics.benchmark.sharpe).toBe('number');
    expect(json.metrics.warmUp.barsBefore).toBeGreaterThan(0);

    const constant = await run([...args, '--risk-free', '0.02', '--no-store']);
    expect(constant.stdout).toContain('risk-free 2.00% a year');
    const refused = await run([...args, '--risk-free', '2%']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/risk-free/);
  });

  it('buy-and-hold goes through sweep, gate, simulate and portfolio create', async () => {
    const sweep = await run(['sweep', '--strategy', 'buy-and-hold', ...UNIVERSE, ...IN_SAMPLE, '--workers', '1', '--json']);
    expect(sweep.code, sweep.stderr).toBe(0);
    const swept = JSON.parse(sweep.stdout) as { sweepId: number; combinations: number; best: { backtestId: number }[] };
    expect(swept.combinations).toBe(4); // rebalance none, month-end, quarter-end, year-end
    const gated = await run(['gate', '--sweep', String(swept.sweepId), '--min-trades', '0']);
    expect(gated.stderr).toBe('');
    expect(gated.stdout).toContain('4 trials in this family: buy-and-hold on GLD,SPY,TLT');
    expect(gated.stdout).toMatch(/\d of 4 passed the default gates/);

    const held = await run([
      'backtest',
      '--strategy',
      'buy-and-hold',
      ...UNIVERSE,
      ...IN_SAMPLE,
      '--param',
      'weights=SPY:0.6,TLT:0.4',
      '--json',
    ]);
    expect(held.code, held.stderr).toBe(0);
    const id = String((JSON.parse(held.stdout) as { id: number }).id);
    const simulated = await run(['simulate', '--backtest', id, '--to', '2016-12-31', '--ignore-gates']);
    expect(simulated.code, simulated.stderr).toBe(0);
    expect(simulated.stdout).toMatch(new RegExp(`simulation \\d+: backtest ${id} out of sample`));
    expect(simulated.stdout).toMatch(/warm-up\s+full signal from the first bar \(2015-01-02\)/);

    const created = await run([
      'portfolio',
      'create',
      'sixty-forty',
      '--strategy',
      'buy-and-hold',
      ...UNIVERSE,
      '--param',
      'weights=SPY:0.6,TLT:0.4',
      '--amount',
      '100000',
      '--as-of',
      '2015-01-02',
      '--ignore-gates',
    ]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^SPY\s+60\.0%\s+60\.0%\s+\d+/m);
    expect(created.stdout).toMatch(/^TLT\s+40\.0%\s+39\.\d%\s+\d+/m);
    expect(created.stdout).not.toMatch(/^GLD\s/m);
    expect(created.stdout).toContain('GATES IGNORED');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnvironment, type CliEnvironment } from '../helpers/cli-env.js';
import { runCli } from '../helpers/cli.js';
import { engineName } from '../helpers/test-database.js';

describe(`momentum gate, simulate, simulations, walkforward (${engineName})`, () => {
  let cli: CliEnvironment;
  let backtestId: string;
  beforeAll(async () => {
    cli = await cliEnvironment();
    expect((await runCli(['ingest', '--source', 'synthetic', '--to', '2014-12-31'], cli.env)).code).toBe(0);
    const run = await runCli(
      ['backtest', '--strategy', 'xs-momentum', '--universe', 'synthetic', '--from', '2003-01-01', '--to', '2009-12-31', '--json'],
      cli.env,
    );
    backtestId = String((JSON.parse(run.stdout) as { id: number }).id);
  });
  afterAll(async () => {
    await cli.dispose();
  });

  it('gate prints every check with its reason and stores the verdict; a failed gate exits 3', async () => {
    const failing = await runCli(['gate', '--backtest', backtestId, '--min-sharpe', '5', '--max-pbo', '0.5'], cli.env);
    expect(failing.code).toBe(3);
    expect(failing.stdout).toContain(`backtest ${backtestId}: FAILED the default gates`);
    expect(failing.stdout).toMatch(/fail\s+Sharpe ratio -?\d\.\d\d is below the minimum 5\.00/);
    expect(failing.stdout).toMatch(/skipped\s+PBO needs a sweep/);
    const passing = await runCli(
      [
        'gate',
        '--backtest',
        backtestId,
        '--gates',
        'default',
        '--min-sharpe',
        '-5',
        '--min-cagr',
        '-1',
        '--max-drawdown',
        '1',
        '--min-trades',
        '0',
        '--min-dsr',
        '0',
      ],
      cli.env,
    );
    expect(passing.stdout).toContain('PASSED');
    expect(passing.code).toBe(0);
  });

  it('simulate runs the stored strategy after its period and prints in-sample vs out-of-sample', async () => {
    const result = await runCli(['simulate', '--backtest', backtestId], cli.env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/simulation \d+: backtest \d+ out of sample \(stored as backtest \d+\)/);
    expect(result.stdout).toContain('in-sample vs out-of-sample');
    expect(result.stdout).toContain('2003-01-01 .. 2009-12-31');
    expect(result.stdout).toContain('2010-01-01 .. 2014-12-31');
    const list = JSON.parse((await runCli(['simulations', '--backtest', backtestId, '--json'], cli.env)).stdout) as unknown[];
    expect(list).toHaveLength(1);
  });

  it('simulate refuses an overlapping period and a gate failure, each with what to do', async () => {
    const overlap = await runCli(['simulate', '--backtest', backtestId, '--from', '2008-01-01'], cli.env);
    expect(overlap.code).toBe(1);
    expect(overlap.stderr).toContain('error: from: 2008-01-01 overlaps backtest');
    expect(overlap.stderr).toContain('--allow-overlap');
    await runCli(['gate', '--backtest', backtestId, '--min-sharpe', '5'], cli.env);
    const gated = await runCli(['simulate', '--backtest', backtestId], cli.env);
    expect(gated.stderr).toMatch(/error: gates: backtest \d+ failed its gates/);
    const ignored = await runCli(['simulate', '--backtest', backtestId, '--ignore-gates'], cli.env);
    expect(ignored.code).toBe(0);
    expect(ignored.stdout).toContain('WARNING: backtest');
  });

  it.each([
    [['gate', '--backtest', '1', '--min-trades', '-1'], 'error: default.minTrades: cannot be negative'],
    [['gate', '--backtest', '1', '--max-pbo', '1.5'], 'error: default.maxPbo: must be a probability in [0, 1]'],
    [['gate'], 'error: backtest: give --backtest ID or --sweep ID'],
    [['gate', '--backtest', '999999'], 'error: backtest 999999 does not exist'],
    [['simulate', '--backtest', '999999'], 'error: backtest 999999 does not exist'],
  ])('%j fails clearly', async (args, message) => {
    const result = await runCli(args, cli.env);
    expect(result.stderr).toContain(message);
    expect(result.code).toBe(1);
  });

  it('sweep then gate --sweep reports the PBO and the deflated Sharpe ratios', async () => {
    const sweep = JSON.parse(
      (
        await runCli(
          [
            'sweep',
            '--strategy',
            'xs-momentum',
            '--universe',
            'synthetic',
            '--to',
            '2009-12-31',
            '--grid',
            'lookback=63,126,252',
            '--grid',
            'topPct=20,50',
            '--json',
          ],
          cli.env,
        )
      ).stdout,
    ) as { sweepId: number };
    const gate = await runCli(['gate', '--sweep', String(sweep.sweepId), '--pbo-blocks', '8'], cli.env);
    expect(gate.stdout).toMatch(new RegExp(`sweep ${sweep.sweepId}: 6 configurations; PBO \\d\\.\\d{3} over 70 CSCV splits`));
    expect(gate.stdout).toMatch(/backtest\s+passed\s+dsr\s+psr\s+failed/);
    expect(gate.stdout).toContain('6 trials in this family: xs-momentum on synthetic (1d), ');
    // The PBO states its split; 8 blocks leave a remainder, so it warns and --trim evens them out.
    const split = /T = (\d+) rows in S = 8 blocks of (\d+) or \d+ rows/.exec(gate.stdout)!;
    expect(gate.stdout).toContain(`warning: S = 8 does not divide T = ${split[1]}`);
    const trimmed = await runCli(['gate', '--sweep', String(sweep.sweepId), '--pbo-blocks', '8', '--trim'], cli.env);
    const rows = Number(split[1]);
    expect(trimmed.stdout).toContain(
      `T = ${rows - (rows % 8)} rows in S = 8 blocks of ${split[2]} rows (the oldest ${rows % 8} of ${rows} rows dropped)`,
    );
    expect(trimmed.stdout).not.toContain('warning: S = 8 does not divide');
  });

  it('walkforward prints each window with its pick and the stitched out-of-sample figures', async () => {
    const result = await runCli(
      [
        'walkforward',
        '--strategy',
        'xs-momentum',
        '--universe',
        'synthetic',
        '--from',
        '2003-01-01',
        '--grid',
        'lookback=126,252',
        '--train',
        '3y',
        '--test',
        '1y',
      ],
      cli.env,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/walk-forward \d+: xs-momentum, rolling windows of 756 training and 252 test bars, picked by sharpe/);
    expect(result.stdout).toMatch(/lookback=(126|252)/);
    expect(result.stdout).toContain('the stitched out-of-sample curve');
  });
});

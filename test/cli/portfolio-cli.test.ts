/**
 * The user journey from the command line on the engine under test: ingest -> backtest -> gate ->
 * simulate -> portfolio for a lump sum and a monthly SIP -> rebalance -> history; plus the SIP
 * backtest and the errors a user can hit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnvironment, type CliEnvironment } from '../helpers/cli-env.js';
import { runCli } from '../helpers/cli.js';
import { engineName } from '../helpers/test-database.js';

const lenient = ['--min-sharpe', '-5', '--min-cagr', '-1', '--max-drawdown', '1', '--min-trades', '0', '--min-dsr', '0'];

describe(`momentum portfolio (${engineName})`, () => {
  let cli: CliEnvironment;
  const run = async (args: string[]) => runCli(args, cli.env);
  beforeAll(async () => {
    cli = await cliEnvironment();
    expect((await run(['ingest', '--source', 'synthetic', '--to', '2014-12-31'])).code).toBe(0);
    const backtest = await run([
      'backtest',
      '--strategy',
      'xs-momentum',
      '--universe',
      'synthetic',
      '--from',
      '2003-01-01',
      '--to',
      '2009-12-31',
      '--json',
    ]);
    const id = String((JSON.parse(backtest.stdout) as { id: number }).id);
    expect((await run(['gate', '--backtest', id, ...lenient])).code).toBe(0);
    expect((await run(['simulate', '--backtest', id])).code).toBe(0);
  });
  afterAll(async () => {
    await cli.dispose();
  });

  it('creates a lump-sum portfolio with weights, reasons, holding period and evidence, then shows it', async () => {
    const created = await run([
      'portfolio',
      'create',
      'core',
      '--strategy',
      'xs-momentum',
      '--universe',
      'synthetic',
      '--amount',
      '100000',
      '--as-of',
      '2014-10-31',
    ]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('portfolio core stored');
    expect(created.stdout).toMatch(
      /xs-momentum on synthetic \(1d\) as of 2014-10-31: data to 2014-10-31 \(0 days old\), weights from the signal of 2014-10-31/,
    );
    expect(created.stdout).toMatch(/SYN-\S+ .* return from lookback to skip bars ago -?\d+\.\d%, rank \d+ of \d+/);
    expect(created.stdout).toContain('hold until 2014-11-28');
    expect(created.stdout).toMatch(
      /evidence: backtest \d+ \(2003-01-01 to 2009-12-31\).*gates default: passed.*out of sample 2010-01-01 \.\. 2014-12-31/,
    );
    const shown = await run(['portfolio', 'show', 'core', '--amount', '10000']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('last rebalance 2014-10-31');
    expect(shown.stdout).toContain('scaled to 10,000.00');
  });

  it('rebalances with previous and new weights side by side, sells first; history lists both', async () => {
    const dry = await run(['portfolio', 'rebalance', 'core', '--as-of', '2014-11-28', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('dry run: not stored');
    const done = await run(['portfolio', 'rebalance', 'core', '--as-of', '2014-11-28']);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/symbol\s+previous\s+new_target\s+new_weight\s+change\s+shares\s+reason/);
    expect(done.stdout).toContain('orders (sells first):');
    const again = await run(['portfolio', 'rebalance', 'core', '--as-of', '2014-11-28']);
    expect(again.stdout).toContain('was already rebalanced as of 2014-11-28');
    const history = await run(['portfolio', 'history', 'core', '--json']);
    expect((JSON.parse(history.stdout) as { asOf: string }[]).map((r) => r.asOf)).toEqual(['2014-11-28', '2014-10-31']);
    const list = await run(['portfolio', 'list']);
    expect(list.stdout).toMatch(/core\s+xs-momentum\s+synthetic\s+lumpsum\s+2014-11-28/);
  });

  it('plans a monthly SIP and backtests SIP against lump sum', async () => {
    const sip = await run([
      'portfolio',
      'create',
      'monthly',
      '--strategy',
      'xs-momentum',
      '--universe',
      'synthetic',
      '--amount',
      '5000',
      '--sip',
      '5000',
      '--count',
      '12',
      '--as-of',
      '2014-10-31',
      '--json',
    ]);
    expect(sip.code, sip.stderr).toBe(0);
    const proposal = JSON.parse(sip.stdout) as {
      mode: string;
      schedule: { date: string }[];
      invested: number;
      cash: number;
      costs: number;
    };
    expect(proposal.mode).toBe('sip');
    expect(proposal.schedule).toHaveLength(12);
    expect(proposal.schedule[1]!.date).toBe('2014-11-30');
    expect(proposal.invested + proposal.cash + proposal.costs).toBeCloseTo(5000, 6);
    const backtest = await run([
      'portfolio',
      'sip-backtest',
      '--strategy',
      'xs-momentum',
      '--universe',
      'synthetic',
      '--installment',
      '5000',
      '--from',
      '2010-01-01',
      '--to',
      '2014-12-31',
    ]);
    expect(backtest.code, backtest.stderr).toBe(0);
    expect(backtest.stdout).toMatch(/SIP\s+300,000\.00\s+[\d,.]+\s+-?\d+\.\d\d%/);
    expect(backtest.stdout).toMatch(/lump sum\s+300,000\.00/);
  });

  it('says what is wrong', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['portfolio', 'create', 'x', '--strategy', 'xs-momentum', '--universe', 'synthetic', '--amount', '-1', '--as-of', '2014-10-31'],
        /amount: must be more than 0/,
      ],
      [
        [
          'portfolio',
          'create',
          'x',
          '--strategy',
          'xs-momentum',
          '--symbols',
          'SYN-EQ-US,NOPE',
          '--amount',
          '1000',
          '--as-of',
          '2014-10-31',
          '--ignore-gates',
        ],
        /unknown symbol NOPE/,
      ],
      [
        ['portfolio', 'create', 'x', '--strategy', 'xs-momentum', '--universe', 'synthetic', '--amount', '1000'],
        /the latest 1d bar is from 2014-12-31, \d+ days before .*--allow-stale/,
      ],
      [['portfolio', 'show', 'nope'], /no portfolio named "nope"; there are core, monthly/],
    ];
    for (const [args, message] of cases) {
      const result = await run(args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toMatch(message);
    }
  });
});

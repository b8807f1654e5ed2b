/**
 * A user's strategy in a file, named in the configuration's `strategies` list (relative to the
 * configuration, in a folder outside the project), goes through every place a built-in goes, in the
 * real command: listed, swept on worker threads, gated with its trials counted, backtested, made a
 * model portfolio, and taken by the scheduled gates and rebalance jobs. `--strategy-file` loads one without a configuration.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliSuite } from '../helpers/cli-env.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { engineName } from '../helpers/test-database.js';

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** A small universe: four synthetic asset classes. */
const SYMBOLS = ['SYN-EQ-US', 'SYN-BOND-LONG', 'SYN-GOLD', 'SYN-OIL'];
const FIXTURE = join(ROOT, 'test/fixtures/strategies/abs-mom.ts');

/** The same idea in plain JavaScript, for --strategy-file (and a second name). */
const JS_STRATEGY = `import { defineStrategy, emptyTargets, z } from 'momentum';
export default defineStrategy({
  name: 'hold-first',
  params: z.strictObject({ weight: z.number().min(0).max(1).default(1) }),
  targets(panel, p) {
    const n = panel.symbols.length;
    const targets = emptyTargets(panel.dates.length, n);
    const rebalance = new Uint8Array(panel.dates.length).fill(1);
    for (let t = 0; t < panel.dates.length; t++) for (let j = 0; j < n; j++) targets[t * n + j] = j === 0 ? p.weight : 0;
    return { kind: 'weights', rebalance, targets };
  },
});
`;

describe(`a user's strategy file through the momentum command (${engineName})`, () => {
  const suite = cliSuite('user-strategy');
  const env = () => ({ ...suite.cli.env, MOMENTUM_CONFIG: join(suite.dir, 'momentum.config.json') });
  const run = async (args: string[]) => {
    const result = await runCli(args, env());
    expect(result.code, `${args.join(' ')}\n${result.stderr}`).toBe(0);
    return result;
  };

  it('is listed, swept, gated, backtested, made a portfolio, and gated and rebalanced by the jobs', async () => {
    mkdirSync(join(suite.dir, 'strategies'));
    copyFileSync(FIXTURE, join(suite.dir, 'strategies', 'abs-mom.ts'));
    writeFileSync(
      join(suite.dir, 'momentum.config.json'),
      JSON.stringify({ strategies: ['strategies/abs-mom.ts'], universes: { synthetic: { symbols: SYMBOLS } } }),
    );

    const listed = await run(['strategies']);
    expect(listed.stdout).toContain('abs-mom: Absolute momentum (Moskowitz, Ooi and Pedersen (2012))');
    expect(listed.stdout).toContain(`from ${join(suite.dir, 'strategies', 'abs-mom.ts')}`);
    expect(listed.stdout).toContain('sweep ranges: lookback=63,126,189,252');

    // To today: the scheduled rebalance refuses stale data.
    await run(['ingest', '--source', 'synthetic', '--symbols', SYMBOLS.join(',')]);
    const sweep = JSON.parse(
      (await run(['sweep', '--strategy', 'abs-mom', '--universe', 'synthetic', '--to', '2009-12-31', '--json'])).stdout,
    ) as {
      sweepId: number;
      combinations: number;
      failed: unknown[];
    };
    expect(sweep.failed).toEqual([]);
    expect(sweep.combinations).toBe(4); // the strategy's own sweep ranges, on worker threads that loaded its file
    const gate = await runCli(['gate', '--sweep', String(sweep.sweepId), '--pbo-blocks', '8'], env());
    expect(gate.stdout).toMatch(new RegExp(`sweep ${sweep.sweepId}: 4 configurations; PBO \\d\\.\\d{3} over 70 CSCV splits`));
    expect(gate.stdout).toContain('4 trials in this family: abs-mom on synthetic (1d), ');

    const backtest = JSON.parse(
      (await run(['backtest', '--strategy', 'abs-mom', '--universe', 'synthetic', '--from', '2003-01-01', '--to', '2009-12-31', '--json']))
        .stdout,
    ) as { id: number; codeVersion: string; metrics: { trades: { closed: number } } };
    expect(backtest.codeVersion).toMatch(/ abs-mom\.ts@sha256:[0-9a-f]{16}$/);
    expect(backtest.metrics.trades.closed).toBeGreaterThan(0);
    // Simulation and walk-forward take a user strategy as they take a built-in: test/strategies/user-strategy.test.ts.

    const created = await run([
      'portfolio',
      'create',
      'mine',
      '--strategy',
      'abs-mom',
      '--universe',
      'synthetic',
      '--amount',
      '10000',
      '--as-of',
      isoDay(Date.now() - 45 * 86_400_000),
      '--ignore-gates',
    ]);
    expect(created.stdout).toContain('mine');
    const gatesJob = await run(['run-job', 'gates']);
    expect(gatesJob.stdout).toMatch(/^gates \(job gates\): succeeded/);
    const rebalanceJob = await run(['run-job', 'rebalance', '--args', '{"deliver":false}']);
    expect(rebalanceJob.stdout).toMatch(/^rebalance \(job rebalance\): succeeded/);
    const history = await run(['portfolio', 'history', 'mine', '--json']);
    expect((JSON.parse(history.stdout) as unknown[]).length).toBe(2); // created, then rebalanced by the job
  });

  it('--strategy-file loads a JavaScript strategy without a configuration; without it the name is unknown, and says how', async () => {
    const file = join(suite.dir, 'hold-first.mjs');
    writeFileSync(file, JS_STRATEGY);
    const plain = { ...suite.cli.env };
    const ran = await runCli(
      ['backtest', '--strategy-file', file, '--strategy', 'hold-first', '--symbols', 'SYN-EQ-US,SYN-GOLD', '--json'],
      plain,
    );
    expect(ran.code, ran.stderr).toBe(0);
    expect((JSON.parse(ran.stdout) as { codeVersion: string }).codeVersion).toMatch(/ hold-first\.mjs@sha256:/);
    const unknown = await runCli(['backtest', '--strategy', 'hold-first', '--symbols', 'SYN-EQ-US'], plain);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('error: strategy: unknown strategy "hold-first"');
    expect(unknown.stderr).toContain('load its file with --strategy-file or the strategies list of momentum.config.json');
    // Repeatable, one file each, before or after the command, and never taking the command's own arguments.
    const global = await runCli(['--strategy-file', file, 'strategies', '--json'], plain);
    expect(global.code, global.stderr).toBe(0);
    expect((JSON.parse(global.stdout) as { name: string }[]).map((s) => s.name)).toContain('hold-first');
    const missing = await runCli(['strategies', '--strategy-file', join(suite.dir, 'nope.ts')], plain);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`strategy file ${join(suite.dir, 'nope.ts')} does not exist`);

    // A configured file that does not load: commands that need no strategy go on, with a warning;
    // one that needs it says it is unknown, and why.
    const broken = join(suite.dir, 'broken.config.json');
    writeFileSync(broken, JSON.stringify({ strategies: ['gone.ts'], universes: { synthetic: { symbols: SYMBOLS } } }));
    const withBroken = { ...plain, MOMENTUM_CONFIG: broken };
    const status = await runCli(['db', 'status'], withBroken);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stderr).toContain(`warning: strategy file ${join(suite.dir, 'gone.ts')} does not exist (listed in ${broken})`);
    const needed = await runCli(['backtest', '--strategy', 'gone', '--symbols', 'SYN-EQ-US'], withBroken);
    expect(needed.code).toBe(1);
    expect(needed.stderr).toContain(`error: strategy: unknown strategy "gone"; use one of`);
    expect(needed.stderr).toContain(`; note: strategy file ${join(suite.dir, 'gone.ts')} does not exist (listed in ${broken})`);
  });
});

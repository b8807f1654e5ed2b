/**
 * Strategies as an extension point, in process: defineStrategy refuses a bad definition naming what
 * is wrong, and a wrong-sized result on the call; a file (TypeScript or JavaScript, inside or outside
 * the project) is loaded once and registered with its sha256; names never collide; and a user's
 * strategy backtests, sweeps on worker threads and records its file in the code version.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseBacktestSpec } from '../../src/backtest/backtest-spec.js';
import { runBacktest } from '../../src/backtest/run-backtest.js';
import { storeBacktest } from '../../src/backtest/backtest-store.js';
import { runSweep } from '../../src/backtest/sweep.js';
import { simulateOutOfSample } from '../../src/research/simulate.js';
import { runWalkForward } from '../../src/research/walk-forward-store.js';
import { dateToTs } from '../../src/data/bar.js';
import { ingest } from '../../src/data/ingest.js';
import { SyntheticProvider } from '../../src/data/providers/synthetic-provider.js';
import { ConfigError, ValidationError } from '../../src/errors.js';
import { defineStrategy } from '../../src/strategies/define-strategy.js';
import { assertNoLookAhead } from '../../src/strategies/look-ahead-check.js';
import { allStrategies, getStrategy, registerStrategy, strategySource } from '../../src/strategies/registry.js';
import { loadStrategyFile } from '../../src/strategies/strategy-files.js';
import { emptyTargets, type StrategyPanel } from '../../src/strategies/strategy.js';
import { ROOT } from '../helpers/cli.js';
import { openTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { expectValidationError } from '../helpers/validation-error.js';

const FIXTURE = join(ROOT, 'test/fixtures/strategies/abs-mom.ts');
const SYMBOLS = ['SYN-EQ-US', 'SYN-BOND-LONG', 'SYN-GOLD', 'SYN-OIL'];

const cashOnly = (name: string) =>
  defineStrategy({
    name,
    params: z.strictObject({ lookback: z.number().int().min(2).default(20) }),
    targets: (panel) => ({
      kind: 'weights',
      rebalance: new Uint8Array(panel.dates.length),
      targets: emptyTargets(panel.dates.length, panel.symbols.length),
    }),
  });

const panel: StrategyPanel = {
  interval: '1d',
  symbols: ['A', 'B'],
  dates: Float64Array.from([0, 1, 2]),
  values: { adj_close: [Float64Array.from([1, 2, 3]), Float64Array.from([1, 2, 3])] },
};

describe('defineStrategy', () => {
  it.each([
    [{ name: 'Bad Name' }, 'strategy "Bad Name".name', 'must be kebab-case'],
    [{ params: { lookback: 3 } }, 'strategy "mine".params', 'must be a zod object schema'],
    [{ params: z.strictObject({ lookback: z.number() }) }, 'strategy "mine".params.lookback', 'every parameter needs a default'],
    [{ sweep: { window: [10] } }, 'strategy "mine".sweep.window', 'is not one of its params'],
    [{ sweep: { lookback: [1, 20] } }, 'strategy "mine".sweep.lookback', '1: '],
    [{ fields: ['adj_closes'] }, 'strategy "mine".fields.0', ''],
    [{ targets: 'x' }, 'strategy "mine".targets', 'must be a function'],
  ])('refuses %j, naming %s', (change, field, message) => {
    const base = {
      name: 'mine',
      params: z.strictObject({ lookback: z.number().int().min(2).default(20) }),
      targets: () => ({ kind: 'weights' as const, rebalance: new Uint8Array(0), targets: new Float64Array(0) }),
    };
    expectValidationError(() => defineStrategy({ ...base, ...change } as never), field, message);
  });

  it('fills the descriptive fields, and checks what targets() returns on every call', () => {
    const strategy = defineStrategy({
      name: 'wrong-size',
      params: z.strictObject({}),
      targets: (p) => ({ kind: 'weights', rebalance: new Uint8Array(p.dates.length), targets: new Float64Array(1) }),
    });
    expect(strategy).toMatchObject({ title: 'wrong-size', fields: ['adj_close'], exitRule: 'none before the next rebalance' });
    expect(() => strategy.targets(panel, {})).toThrow(
      'strategy "wrong-size" returned targets that are not a Float64Array of 3 x 2 = 6 (row-major: [t * N + j])',
    );
    const throwing = defineStrategy({
      name: 'throws',
      params: z.strictObject({}),
      targets: () => {
        throw new Error('no data for B');
      },
    });
    expect(() => throwing.targets(panel, {})).toThrow('strategy "throws" failed in targets(): no data for B');
  });
});

describe('the registry of user strategies', () => {
  it("refuses a built-in's name and another source's name; the same source may register again", () => {
    expect(() => registerStrategy(cashOnly('xs-momentum'))).toThrow(ValidationError);
    registerStrategy(cashOnly('notebook-idea'));
    registerStrategy(cashOnly('notebook-idea')); // a notebook cell run twice
    expect(() => registerStrategy(cashOnly('notebook-idea'), { file: '/x/idea.ts', sha256: 'ab' })).toThrow(
      '"notebook-idea" is already registered from this process; names must be unique',
    );
    expect(getStrategy('notebook-idea').name).toBe('notebook-idea');
    expect(allStrategies().at(-1)!.name).toBe('notebook-idea');
    expect(() => getStrategy('nope')).toThrow(/unknown strategy "nope"; use one of ts-momentum, .*notebook-idea/);
  });
});

describe('strategy files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'momentum-strategy-files-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a TypeScript file once, registered with its sha256, and it passes the no-look-ahead check', async () => {
    const loaded = await loadStrategyFile(FIXTURE);
    expect(loaded.strategies.map((s) => s.name)).toEqual(['abs-mom']);
    expect(await loadStrategyFile(FIXTURE)).toBe(loaded);
    const sha256 = createHash('sha256').update(readFileSync(FIXTURE)).digest('hex');
    expect(strategySource('abs-mom')).toEqual({ file: FIXTURE, sha256 });
    expect(assertNoLookAhead(getStrategy('abs-mom'), { params: { lookback: 40 } }).runs).toBe(25);
  });

  it('loads JavaScript outside the project importing momentum, and a list of strategies', async () => {
    const file = join(dir, 'two.mjs');
    writeFileSync(
      file,
      `import { defineStrategy, z } from 'momentum';
const make = (name) => defineStrategy({ name, params: z.strictObject({}), targets: (p) => ({ kind: 'weights', rebalance: new Uint8Array(p.dates.length), targets: new Float64Array(p.dates.length * p.symbols.length) }) });
export default [make('js-one'), make('js-two')];
`,
    );
    expect((await loadStrategyFile('two.mjs', dir)).strategies.map((s) => s.name)).toEqual(['js-one', 'js-two']);
  });

  it('loads a file edited since anew (a notebook cell run again); a worker refuses a version its parent did not load', async () => {
    const file = join(dir, 'edited.mjs');
    const version = (weight: number) =>
      `import { defineStrategy, z } from 'momentum';
export default defineStrategy({ name: 'edited', params: z.strictObject({}), targets: (p) => ({ kind: 'weights', rebalance: new Uint8Array(p.dates.length).fill(1), targets: new Float64Array(p.dates.length * p.symbols.length).fill(${weight}) }) });
`;
    writeFileSync(file, version(0.25));
    const first = await loadStrategyFile(file);
    expect(getStrategy('edited').targets(panel, {}).targets[0]).toBe(0.25);
    writeFileSync(file, version(0.5));
    await expect(loadStrategyFile(file, dir, first.sha256)).rejects.toThrow(`strategy file ${file} changed after it was loaded`);
    const second = await loadStrategyFile(file);
    expect(second.sha256).not.toBe(first.sha256);
    expect(strategySource('edited')!.sha256).toBe(second.sha256);
    expect(getStrategy('edited').targets(panel, {}).targets[0]).toBe(0.5);
  });

  it.each([
    ['missing.ts', null, 'does not exist'],
    ['empty.mjs', 'export const x = 1;\n', 'exports no strategy: make its default export defineStrategy({ ... })'],
    ['broken.ts', 'export default defineStrategy({ name: "broken" ', 'failed to load'],
    ['shape.mjs', 'export default { name: "shape" };\n', 'default export must be strategies made by defineStrategy'],
    [
      'taken.mjs',
      `import { defineStrategy, z } from 'momentum'; export default defineStrategy({ name: 'xs-momentum', params: z.strictObject({}), targets() {} });\n`,
      "a built-in strategy's name",
    ],
  ])('%s: a clear error', async (name, content, message) => {
    if (content !== null) writeFileSync(join(dir, name), content);
    const error = await loadStrategyFile(name, dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(name === 'taken.mjs' ? ValidationError : ConfigError);
    expect(String(error)).toContain(message);
  });
});

describe('a user strategy in backtests and sweeps', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase();
    await ingest(db, new SyntheticProvider({ seed: 3 }), { symbols: SYMBOLS, interval: '1d', now: () => dateToTs('2012-12-31') });
    await loadStrategyFile(FIXTURE);
  }, 600_000);
  afterAll(async () => db?.close());

  it('backtests with its file in the code version, and sweeps on worker threads that load the same file', async () => {
    const spec = parseBacktestSpec({ strategy: 'abs-mom', symbols: SYMBOLS, from: '2004-01-01', to: '2010-12-31' });
    const single = await runBacktest(db, { ...spec, params: { ...spec.params, lookback: 189 } });
    expect(single.codeVersion).toMatch(/ abs-mom\.ts@sha256:[0-9a-f]{16}$/);
    const sweep = await runSweep(db, spec, { lookback: [63, 189] }, { workers: 2 });
    expect(sweep.failures).toEqual([]);
    const same = sweep.entries.find((e) => e.params['lookback'] === 189)!;
    expect(same.metrics).toEqual(single.metrics);
  });

  it('is simulated out of sample and walked forward like a built-in', async () => {
    const spec = parseBacktestSpec({ strategy: 'abs-mom', symbols: SYMBOLS, from: '2004-01-01', to: '2008-12-31' });
    const id = await storeBacktest(db, await runBacktest(db, spec));
    const simulation = await simulateOutOfSample(db, { backtestId: id, ignoreGates: true, gates: { name: 'none', set: {} } });
    expect(simulation.comparison.outOfSample.period).toMatch(/^2009-01-0\d \.\. 2012-12-31$/);
    const walked = await runWalkForward(
      db,
      { ...spec, to: null },
      {
        grid: { lookback: [63, 126] },
        trainBars: 756,
        testBars: 252,
        mode: 'rolling',
        selectBy: 'sharpe',
      },
    );
    expect(walked.windows.length).toBeGreaterThan(1);
    expect(walked.windows.every((w) => [63, 126].includes(w.chosen['lookback'] as number))).toBe(true);
  });

  it('a strategy defined in this process only cannot go to sweep workers, and says what to do', async () => {
    registerStrategy(cashOnly('unsaved-idea'));
    const spec = parseBacktestSpec({ strategy: 'unsaved-idea', symbols: SYMBOLS });
    await expect(runSweep(db, spec, { lookback: [5, 10] })).rejects.toThrow(
      'unsaved-idea was defined in this process, not loaded from a file: sweep workers load',
    );
  });
});

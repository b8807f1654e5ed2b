/**
 * Issue 5 benchmark: MPO solve times for (assets, periods) = (2,3), (50,12), (200,24), (500,52)
 * with HiGHS and glpk.js, median of 5 (glpk.js at (500,52): one run, it takes minutes), the model
 * build time shown apart.
 */
import { performance } from 'node:perf_hooks';
import { loadGlpk } from '../src/mpo/glpk-solver.js';
import { loadHighs } from '../src/mpo/highs-solver.js';
import { parseMpoRequest } from '../src/mpo/mpo-request.js';
import { solveProblem } from '../src/mpo/optimize.js';
import { createRandom } from '../src/util/random.js';
import { median, report } from './bench-utils.js';

/** A feasible random instance: half in cash, returns ~ N(0.5%, 2%) a period. */
export function randomRequest(assets: number, periods: number, seed: number) {
  const random = createRandom(seed);
  const names = Array.from({ length: assets }, (_, i) => `A${i}`);
  const raw = names.map(() => random.next());
  const total = raw.reduce((a, b) => a + b, 0);
  const initial: Record<string, number> = Object.fromEntries(names.map((n, i) => [n, (0.5 * raw[i]!) / total]));
  initial.CASH = 1 - Object.values(initial).reduce((a, b) => a + b, 0);
  const returns = Object.fromEntries(
    names.map((n) => [n, Object.fromEntries(Array.from({ length: periods }, (_, t) => [String(t + 1), 0.005 + 0.02 * random.normal()]))]),
  );
  return {
    initial_weights: initial,
    estimated_returns: returns,
    parameters: {
      min_weight: 0,
      max_weight: Math.min(1, 3 / assets),
      min_cash_balance: 0.05,
      max_leverage: 1,
      max_trade_size: 0.5,
      trade_aversion: 1,
      transaction_cost: 0.001,
    },
  };
}

export async function benchMpo(): Promise<void> {
  console.log('\nmulti-period optimisation: solve time (median of 5; model build shown apart)');
  await Promise.all([loadHighs(), loadGlpk()]);
  const sizes: [number, number][] = [
    [2, 3],
    [50, 12],
    [200, 24],
    [500, 52],
  ];
  const quick = process.env.BENCH_QUICK === '1';
  for (const [assets, periods] of sizes) {
    const request = randomRequest(assets, periods, assets * 100 + periods);
    const figures: string[] = [];
    let objectives: number[] = [];
    for (const solver of ['highs', 'glpk'] as const) {
      const runs = solver === 'glpk' && assets >= 500 ? (quick ? 0 : 1) : 5;
      if (runs === 0) {
        figures.push('glpk skipped (BENCH_QUICK)');
        continue;
      }
      const problem = parseMpoRequest({ ...request, parameters: { ...request.parameters, solver } });
      const solve: number[] = [];
      const build: number[] = [];
      for (let i = 0; i < runs; i++) {
        const started = performance.now();
        const run = solveProblem(problem);
        build.push(run.buildSeconds);
        solve.push((performance.now() - started) / 1000 - run.buildSeconds);
        if (i === 0) objectives = [...objectives, run.solution.objective];
      }
      figures.push(`${solver} ${ms(median(solve))} (build ${ms(median(build))}${runs === 1 ? ', 1 run' : ''})`);
    }
    const agree = objectives.length < 2 || Math.abs(objectives[0]! - objectives[1]!) < 1e-6 * Math.max(1, Math.abs(objectives[0]!));
    const target = assets === 50 ? '(50,12) < 100 ms' : assets === 500 ? '(500,52) < 10 s with the faster solver' : undefined;
    report(`(${assets}, ${periods})`, `${figures.join('; ')}; objectives ${agree ? 'agree' : 'DIFFER'}`, target);
  }
}

function ms(seconds: number): string {
  return seconds < 1 ? `${(seconds * 1000).toFixed(1)} ms` : `${seconds.toFixed(2)} s`;
}

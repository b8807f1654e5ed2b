/** Issue 4 benchmark: PBO by CSCV with S = 16 (12,870 splits) over 1,000 configurations x 5,000 days. */
import { performance } from 'node:perf_hooks';
import { probabilityOfBacktestOverfitting } from '../src/research/pbo.js';
import { createRandom } from '../src/util/random.js';
import { median, report } from './bench-utils.js';

export function benchPbo(): void {
  console.log('\nprobability of backtest overfitting (CSCV, S = 16: 12,870 splits), 1,000 configurations x 5,000 days');
  const random = createRandom(4);
  const returns = Array.from({ length: 1000 }, (_, c) =>
    Float64Array.from({ length: 5000 }, () => 0.0002 * (c % 7) + 0.01 * random.normal()),
  );
  const runs: number[] = [];
  let pbo = 0;
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    pbo = probabilityOfBacktestOverfitting(returns, { blocks: 16 }).pbo;
    runs.push((performance.now() - start) / 1000);
  }
  report('PBO (median of 3, one thread)', `${median(runs).toFixed(2)} s, PBO ${pbo.toFixed(3)}`, '< 10 s on 2 cores');
}

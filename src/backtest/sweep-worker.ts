/**
 * A sweep worker: loads its code while the main thread loads the panel, receives the shared panel
 * once, then runs the combinations it is sent and posts each result back (a curve, when the sweep
 * keeps them, transferred, not copied).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage } from '../errors.js';
import { prepareStrategy } from '../strategies/registry.js';
import { loadStrategyFile } from '../strategies/strategy-files.js';
import { boundedMemo } from '../strategies/signal-memo.js';
import { adoptCodeVersion } from '../util/code-version.js';
import type { BacktestData } from './run-backtest.js';
import { runCombination } from './sweep-combination.js';
import { unshareData, type FromWorker, type ToWorker, type WorkerSetup } from './sweep-protocol.js';

/** Signal inputs kept per worker: a few MB each (a T x N grid at most). */
const MEMO_ENTRIES = 8;

const setup = workerData as WorkerSetup;
adoptCodeVersion(setup.codeVersion);
if (setup.strategyFile) await loadStrategyFile(setup.strategyFile.file, undefined, setup.strategyFile.sha256);
await prepareStrategy(setup.spec.strategy);
let data: BacktestData | undefined;
const port = parentPort!;
// Combinations arrive in grid order: those sharing a lookback come together, a few entries serve them.
const memo = boundedMemo(MEMO_ENTRIES);
let datesSent = false;

port.on('message', (message: ToWorker) => {
  if (message.type === 'stop') {
    port.close();
    return;
  }
  if (message.type === 'data') {
    data = unshareData(message.data);
    return;
  }
  for (const job of message.jobs) {
    try {
      if (!data) throw new Error('sweep worker: jobs came before the panel');
      // Every combination trades the same bars: the main thread needs them once from each worker.
      const result = runCombination(setup, data, job, memo, !datesSent);
      port.postMessage(result, [
        ...(result.equity ? [result.equity.buffer as ArrayBuffer] : []),
        ...(result.dates ? [result.dates.buffer as ArrayBuffer] : []),
      ]);
      datesSent = true;
    } catch (error) {
      port.postMessage({ type: 'error', index: job.index, error: errorMessage(error) } satisfies FromWorker);
    }
  }
  port.postMessage({ type: 'ready' } satisfies FromWorker);
});
// Asking twice keeps a batch queued while one runs: the worker never waits for a main thread busy storing.
port.postMessage({ type: 'ready' } satisfies FromWorker);
port.postMessage({ type: 'ready' } satisfies FromWorker);

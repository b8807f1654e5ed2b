/**
 * The worker threads of a sweep (and of rebuilding a sweep's curves): started before the panel is
 * loaded, then given the panel and combinations as each asks for more.
 */
import { spawnWorker } from '../util/spawn-worker.js';
import type { FromWorker, JobResult, SharedData, SweepJob, ToWorker, WorkerSetup } from './sweep-protocol.js';

/**
 * Combinations sent to a worker at a time: a sixteenth of its share, between 4 and 64. Storing a
 * batch holds the main thread (the embedded database runs on it) for longer than a few
 * combinations take, and a worker must not run dry meanwhile; small enough to balance the load at
 * the end. Combinations that share signal inputs (grid order) mostly land in one worker.
 */
function jobsPerMessage(jobs: number, workers: number): number {
  return Math.min(64, Math.max(4, Math.ceil(jobs / workers / 16)));
}

export interface WorkerCallbacks {
  onResult(result: JobResult): void;
  onError(index: number, error: string): void;
  onProgress(done: number): void;
}

/**
 * `count` sweep workers, started before the panel is loaded (a worker takes a few hundred ms to
 * load its code); run() gives them the panel and hands out jobs as each asks for more.
 */
export function startSweepWorkers(setup: WorkerSetup, count: number) {
  const workers = Array.from({ length: count }, () =>
    spawnWorker(import.meta.url, 'sweep-worker', setup as unknown as Record<string, unknown>),
  );
  // Until run(), a worker can only say it is ready, or fail: both are remembered.
  const readyEarly = workers.map(() => 0);
  let failedEarly: Error | undefined;
  const early = workers.map((worker, w) => {
    const onMessage = (message: FromWorker) => {
      if (message.type === 'ready') readyEarly[w]!++;
    };
    const onError = (error: Error) => (failedEarly ??= error);
    worker.on('message', onMessage).on('error', onError);
    return () => worker.off('message', onMessage).off('error', onError);
  });
  const failure = (error: Error) => new Error(`a sweep worker failed: ${error.message}`);

  const run = (data: SharedData, jobs: readonly SweepJob[], callbacks: WorkerCallbacks): Promise<void> => {
    early.forEach((stopListening) => stopListening());
    if (failedEarly) return Promise.reject(failure(failedEarly));
    let next = 0;
    let done = 0;
    const perMessage = jobsPerMessage(jobs.length, count);
    return new Promise((resolve, reject) => {
      let running = count;
      let failed = false;
      workers.forEach((worker, w) => {
        const handOut = () => {
          const batch = jobs.slice(next, next + perMessage);
          next += batch.length;
          worker.postMessage((batch.length > 0 ? { type: 'jobs', jobs: batch } : { type: 'stop' }) satisfies ToWorker);
        };
        worker.on('message', (message: FromWorker) => {
          if (message.type === 'result') {
            done++;
            callbacks.onResult(message);
            callbacks.onProgress(done);
          } else if (message.type === 'error') {
            done++;
            callbacks.onError(message.index, message.error);
            callbacks.onProgress(done);
          } else handOut();
        });
        worker.on('error', (error) => {
          if (!failed) {
            failed = true;
            reject(failure(error));
          }
        });
        worker.on('exit', () => {
          running--;
          if (running === 0 && !failed) resolve();
        });
        worker.postMessage({ type: 'data', data } satisfies ToWorker);
        for (let i = 0; i < readyEarly[w]!; i++) handOut();
      });
    });
  };
  return { run, stop: () => Promise.all(workers.map((worker) => worker.terminate())).then(() => undefined) };
}

/**
 * Starts a worker thread for a module next to the caller, from built JavaScript (dist/) or, when
 * running from TypeScript sources (tests, tsx), through a bootstrap that registers tsx in the worker.
 * @example const worker = spawnWorker(import.meta.url, 'sweep-worker', { jobs })
 */
import { Worker } from 'node:worker_threads';

export function spawnWorker(callerUrl: string, moduleName: string, data: Record<string, unknown>): Worker {
  if (callerUrl.endsWith('.ts')) {
    const entry = new URL(`./${moduleName}.ts`, callerUrl).href;
    return new Worker(new URL('./worker-bootstrap.mjs', import.meta.url), { workerData: { ...data, entry } });
  }
  return new Worker(new URL(`./${moduleName}.js`, callerUrl), { workerData: data });
}

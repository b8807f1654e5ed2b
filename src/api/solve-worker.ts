/**
 * A solve worker: loads HiGHS and GLPK once, then solves one job at a time (solves are
 * synchronous and block this thread, not the server's). Errors become `failed` messages; the pool
 * turns them into status 1 responses.
 */
import { parentPort } from 'node:worker_threads';
import { errorMessage } from '../errors.js';
import { loadGlpk } from '../mpo/glpk-solver.js';
import { loadHighs } from '../mpo/highs-solver.js';
import { solveProblem } from '../mpo/optimize.js';
import type { FromSolveWorker, ToSolveWorker } from './solve-protocol.js';

const port = parentPort!;

await Promise.all([loadHighs(), loadGlpk()]);

port.on('message', (job: ToSolveWorker) => {
  let message: FromSolveWorker;
  try {
    const { response } = solveProblem(job.problem, { maxTimeLimit: job.maxTimeLimit });
    message = { type: 'solved', id: job.id, response };
  } catch (error) {
    message = { type: 'failed', id: job.id, message: errorMessage(error) };
  }
  port.postMessage(message);
});
port.postMessage({ type: 'ready' } satisfies FromSolveWorker);

/**
 * A small pool of solve workers with a bounded queue and a hard deadline per job. A job past its
 * deadline is answered with status 1 and its worker is terminated and replaced, so a stuck solve
 * never holds the server. Every job resolves with a compatible response; the only rejection is
 * PoolBusyError when the queue is full (the server's 429).
 */
import type { Worker } from 'node:worker_threads';
import { errorMessage } from '../errors.js';
import type { MpoResponse } from '../mpo/optimize.js';
import type { MpoProblem } from '../mpo/mpo-problem.js';
import { spawnWorker } from '../util/spawn-worker.js';
import type { FromSolveWorker, SolveJob } from './solve-protocol.js';

export interface SolvePoolOptions {
  /** Worker threads, each with HiGHS and GLPK loaded once. */
  readonly workers: number;
  /** Jobs that may wait for a worker; beyond it solve() throws PoolBusyError. */
  readonly queueLimit: number;
  /** Seconds the solver may take (maxTimeLimit of every solve). */
  readonly timeLimitSeconds: number;
  /** Seconds from dispatch after which a job is answered with status 1 and its worker replaced. */
  readonly deadlineSeconds: number;
  readonly log: (line: string) => void;
  /** Starts a worker; by default the solve-worker module next to this file. */
  readonly spawn?: () => Worker;
}

/** The queue is full: try again after `retryAfterSeconds`. */
export class PoolBusyError extends Error {
  override readonly name = 'PoolBusyError';
  readonly retryAfterSeconds: number;
  constructor(queued: number, retryAfterSeconds: number) {
    super(`the solver is busy (${queued} request(s) waiting); try again in ${retryAfterSeconds} s`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

interface Job {
  readonly id: number;
  readonly problem: MpoProblem;
  readonly resolve: (response: MpoResponse) => void;
  started?: number;
  timer?: NodeJS.Timeout;
}

interface Slot {
  readonly worker: Worker;
  ready: boolean;
  retired: boolean;
  job: Job | undefined;
}

/** Weights 1..P+1 and trades 1..P of every asset, all null: the output when no solver answer exists. */
export function unsolvedResponse(problem: MpoProblem, message: string): MpoResponse {
  const nulls = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, k) => [String(k + 1), null]));
  return {
    output: {
      weights: Object.fromEntries(problem.assets.map((a) => [a, nulls(problem.periods + 1)])),
      trades: Object.fromEntries(problem.assets.map((a) => [a, nulls(problem.periods)])),
    },
    status: 1,
    message,
  };
}

export class SolvePool {
  readonly #options: SolvePoolOptions;
  readonly #slots = new Set<Slot>();
  readonly #queue: Job[] = [];
  #nextId = 1;
  #closing = false;
  /** Moving average of seconds per job, for Retry-After. */
  #averageSeconds = 1;
  #startFailure: ((error: Error) => void) | undefined;

  private constructor(options: SolvePoolOptions) {
    this.#options = options;
  }

  /**
   * Starts the workers and resolves once every one has loaded its solvers.
   * @example const pool = await SolvePool.start({ workers: 1, queueLimit: 8, timeLimitSeconds: 30, deadlineSeconds: 35, log: console.error })
   */
  static async start(options: SolvePoolOptions): Promise<SolvePool> {
    const pool = new SolvePool(options);
    const started = new Promise<void>((resolve, reject) => {
      let waiting = options.workers;
      pool.#startFailure = reject;
      for (let i = 0; i < options.workers; i++)
        pool.#spawn(() => {
          if (--waiting === 0) resolve();
        });
    });
    try {
      await started;
    } catch (error) {
      await pool.close();
      throw error;
    }
    pool.#startFailure = undefined;
    return pool;
  }

  get busy(): number {
    return [...this.#slots].filter((s) => s.job).length;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** Requests it takes at once: one a worker, and the queue. */
  get capacity(): number {
    return this.#options.workers + this.#options.queueLimit;
  }

  /** Seconds until a place is likely free, from the average solve time (at least 1). */
  get retryAfterSeconds(): number {
    return Math.max(1, Math.ceil((this.#averageSeconds * (this.#queue.length + 1)) / this.#options.workers));
  }

  /**
   * Solves a parsed problem on a worker. Resolves with status 1 on solver errors, a crashed worker,
   * the deadline, cancellation or shutdown; throws PoolBusyError when the queue is full.
   */
  solve(problem: MpoProblem, signal?: AbortSignal): Promise<MpoResponse> {
    if (this.#closing) return Promise.resolve(unsolvedResponse(problem, 'the server is shutting down; send the request again later'));
    const idle = [...this.#slots].some((s) => s.ready && !s.job);
    if (!idle && this.#queue.length >= this.#options.queueLimit) throw new PoolBusyError(this.#queue.length, this.retryAfterSeconds);
    return new Promise((resolve) => {
      const onAbort = () => {
        const index = this.#queue.indexOf(job);
        if (index >= 0) this.#queue.splice(index, 1);
        if (index >= 0) resolve(unsolvedResponse(problem, 'the request was cancelled before it was solved'));
      };
      const job: Job = {
        id: this.#nextId++,
        problem,
        resolve: (response) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(response);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(job);
      this.#dispatch();
    });
  }

  /** Answers waiting and running jobs with status 1 and terminates the workers. */
  async close(): Promise<void> {
    this.#closing = true;
    for (const job of this.#queue.splice(0)) job.resolve(unsolvedResponse(job.problem, 'the server shut down before the solve started'));
    const slots = [...this.#slots];
    this.#slots.clear();
    for (const slot of slots) {
      slot.retired = true;
      if (slot.job) this.#finish(slot, unsolvedResponse(slot.job.problem, 'the server shut down during the solve'));
    }
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  #spawn(onReady?: () => void): void {
    const worker = this.#options.spawn?.() ?? spawnWorker(import.meta.url, 'solve-worker', {});
    const slot: Slot = { worker, ready: false, retired: false, job: undefined };
    this.#slots.add(slot);
    worker.on('message', (message: FromSolveWorker) => {
      if (message.type === 'ready') {
        slot.ready = true;
        onReady?.();
      } else if (slot.job?.id === message.id) {
        const job = slot.job;
        this.#finish(
          slot,
          message.type === 'solved' ? message.response : unsolvedResponse(job.problem, `the solver failed: ${message.message}`),
        );
      }
      this.#dispatch();
    });
    worker.on('error', (error) => this.#lost(slot, `the solver worker failed: ${errorMessage(error)}`));
    worker.on('exit', (code) => this.#lost(slot, `the solver worker stopped (exit code ${code})`));
  }

  /** A worker crashed or exited: answer its job, replace it (after a pause if it never started). */
  #lost(slot: Slot, reason: string): void {
    if (slot.retired) return;
    slot.retired = true;
    this.#slots.delete(slot);
    this.#options.log(reason);
    if (slot.job) this.#finish(slot, unsolvedResponse(slot.job.problem, reason));
    if (this.#closing) return;
    if (this.#startFailure) {
      this.#startFailure(new Error(`cannot start a solver worker: ${reason}`));
      return;
    }
    if (slot.ready) this.#spawn();
    else {
      // A worker that cannot load its solvers will not load them on the next try either: fail the waiting jobs, retry later.
      for (const job of this.#queue.splice(0)) job.resolve(unsolvedResponse(job.problem, reason));
      setTimeout(() => this.#closing || this.#spawn(), 1000).unref();
    }
  }

  #finish(slot: Slot, response: MpoResponse): void {
    const job = slot.job;
    if (!job) return;
    slot.job = undefined;
    clearTimeout(job.timer);
    if (job.started !== undefined) this.#averageSeconds = 0.8 * this.#averageSeconds + 0.2 * ((performance.now() - job.started) / 1000);
    job.resolve(response);
  }

  #dispatch(): void {
    for (const slot of this.#slots) {
      if (this.#queue.length === 0) return;
      if (!slot.ready || slot.job || slot.retired) continue;
      const job = this.#queue.shift()!;
      slot.job = job;
      job.started = performance.now();
      job.timer = setTimeout(() => this.#overdue(slot, job), this.#options.deadlineSeconds * 1000);
      const message: SolveJob = { type: 'solve', id: job.id, problem: job.problem, maxTimeLimit: this.#options.timeLimitSeconds };
      slot.worker.postMessage(message);
    }
  }

  /** The deadline passed: answer status 1, end the worker (terminate interrupts WebAssembly too) and start a fresh one. */
  #overdue(slot: Slot, job: Job): void {
    if (slot.job !== job) return;
    const { timeLimitSeconds, deadlineSeconds } = this.#options;
    this.#finish(
      slot,
      unsolvedResponse(
        job.problem,
        `the solve did not finish in time: stopped after ${deadlineSeconds} s (the server's deadline; solver time limit ${timeLimitSeconds} s); ` +
          'send a smaller problem (fewer assets or periods) or a lower parameters.time_limit',
      ),
    );
    slot.retired = true;
    this.#slots.delete(slot);
    this.#options.log(`solve ${job.id} passed the ${deadlineSeconds} s deadline: worker terminated and replaced`);
    void slot.worker.terminate();
    if (!this.#closing) this.#spawn();
  }
}

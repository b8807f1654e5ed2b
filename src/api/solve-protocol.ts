/**
 * What the server's main thread and its solve workers exchange. A job carries the parsed problem
 * (typed arrays cross by structured clone); the worker answers with the compatible response, or
 * with the message of an error thrown while building or solving.
 */
import type { MpoResponse } from '../mpo/optimize.js';
import type { MpoProblem } from '../mpo/mpo-problem.js';

export interface SolveJob {
  readonly type: 'solve';
  readonly id: number;
  readonly problem: MpoProblem;
  /** The server's cap on seconds in the solver; a request's own time_limit can only lower it. */
  readonly maxTimeLimit: number;
}

export type ToSolveWorker = SolveJob;

export type FromSolveWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'solved'; readonly id: number; readonly response: MpoResponse }
  | { readonly type: 'failed'; readonly id: number; readonly message: string };

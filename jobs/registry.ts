/**
 * Job names to jobs. The built-in ones live here (ingest, gates, rebalance, monitor,
 * ingest-fundamentals); an operator's own are passed as `extra` where a registry is built, or
 * loaded from a module with `momentum schedule --jobs-module`.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, errorMessage } from '../src/errors.js';
import { gatesJob } from './gates.js';
import { ingestFundamentalsJob } from './ingest-fundamentals.js';
import { ingestJob } from './ingest.js';
import type { JobRegistry } from './job.js';
import { monitorJob } from './monitor.js';
import { rebalanceJob } from './rebalance.js';

export const BUILT_IN_JOBS: JobRegistry = {
  ingest: ingestJob,
  gates: gatesJob,
  rebalance: rebalanceJob,
  monitor: monitorJob,
  'ingest-fundamentals': ingestFundamentalsJob,
};

const JOB_NAME = /^[a-z][a-z0-9-]*$/;

/**
 * The built-in jobs plus `extra` (an extra job of a built-in's name replaces it, e.g. an ingest job
 * with other providers).
 * @example const jobs = jobRegistry({ rebalance: rebalanceJob, monitor: monitorJob })
 */
export function jobRegistry(extra: JobRegistry = {}): JobRegistry {
  for (const [name, job] of Object.entries(extra)) {
    if (!JOB_NAME.test(name)) throw new ConfigError(`job name ${JSON.stringify(name)}: use lower-case words joined by -`);
    if (typeof job !== 'function') throw new ConfigError(`job ${JSON.stringify(name)} is not a function (context) => Promise<JobResult>`);
  }
  return { ...BUILT_IN_JOBS, ...extra };
}

/**
 * Jobs from a module that exports `jobs` (an object of name -> job function), for jobs of one's own.
 * @example const extra = await loadJobsModule('./my-jobs.js')
 */
export async function loadJobsModule(path: string): Promise<JobRegistry> {
  let module: { jobs?: unknown };
  try {
    module = (await import(pathToFileURL(resolve(path)).href)) as { jobs?: unknown };
  } catch (error) {
    throw new ConfigError(`cannot load the jobs module ${path}: ${errorMessage(error)}`);
  }
  if (typeof module.jobs !== 'object' || module.jobs === null) {
    throw new ConfigError(
      `the jobs module ${path} exports no "jobs" object (export const jobs = { name: async (context) => ({ counts: {} }) })`,
    );
  }
  return module.jobs as JobRegistry;
}

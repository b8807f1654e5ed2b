/**
 * `momentum health`: asks the running batch service (`momentum schedule`) for GET /health at the
 * configuration's schedule.healthHost and healthPort, so a container's health check follows the
 * configuration file instead of repeating its port. Exit 0 when healthy; 1 when not or unreachable.
 * `--worker`: whether a `momentum worker` on this machine beats in the job queue's table (a
 * worker container's check: ready once it took its queues, unhealthy when it stopped beating).
 */
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { loadConfig } from '../config.js';
import { ConfigError, MomentumError, errorMessage } from '../errors.js';
import { environment, withLightDatabase, type Output } from './cli-context.js';

export interface HealthFlags {
  config?: string;
  worker?: boolean;
}

/** A probe on this machine reaches a server listening on every address through loopback. */
export function probeHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
}

export async function healthAction(flags: HealthFlags, output: Output): Promise<void> {
  if (flags.worker) return workerHealth(output);
  const path = flags.config ? resolve(flags.config) : environment().configPath;
  const { schedule } = loadConfig(path);
  if (!schedule) throw new ConfigError(`${path} has no "schedule" section: no batch service to ask`);
  const host = probeHost(schedule.healthHost);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${schedule.healthPort}/health`;
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new MomentumError(`no batch service answers at ${url} (${errorMessage(error)}); is momentum schedule running with ${path}?`);
  }
  const body = await response.text();
  if (!response.ok) throw new MomentumError(`the batch service at ${url} is unhealthy (${response.status}): ${body}`);
  output.out(body);
}

async function workerHealth(output: Output): Promise<void> {
  const { liveWorkersOn } = await import('../../jobs/queue/job-workers-store.js');
  const host = hostname();
  const workers = await withLightDatabase((db) => liveWorkersOn(db, host));
  if (workers.length === 0) throw new MomentumError(`no momentum worker on ${host} has beaten in the job queue lately`);
  output.out(workers.map((w) => `worker ${w.pid} on ${host}: queues ${w.queues.join(', ')}, seen ${w.seenSecondsAgo} s ago`).join('\n'));
}

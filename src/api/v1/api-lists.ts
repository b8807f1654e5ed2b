/**
 * GET /api/v1/{jobs|backtests|sweeps|portfolios}: what is stored, newest first, a page at a time
 * (`limit`, default 20, at most 100; `offset`), each item linked to its own resource, and `next`
 * the link of the following page (null on the last).
 */
import { z } from 'zod';
import { listBacktests, listSweeps } from '../../backtest/backtest-store.js';
import type { Database } from '../../db/database.js';
import { portfolioPage } from '../../portfolio/portfolio-store.js';
import { listJobs, type ApiJob } from './api-job-store.js';

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

/** The query of every list; anything else in it is refused. */
export const listQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(DEFAULT_LIMIT),
  offset: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
});
export type ListQuery = z.output<typeof listQuerySchema>;

type Lister = (db: Database, limit: number, offset: number) => Promise<readonly object[]>;

/**
 * The lists by collection; `jobBody` is how a job is answered (with its links).
 * @example await listsOf(jobBody).backtests!(db, 21, 0)
 */
export function listsOf(jobBody: (job: ApiJob) => object): Readonly<Partial<Record<string, Lister>>> {
  const linked = (collection: string) => (item: { id: number; name?: string }) => ({
    ...item,
    links: { self: `/api/v1/${collection}/${item.name === undefined ? item.id : encodeURIComponent(item.name)}` },
  });
  return {
    jobs: async (db, limit, offset) => (await listJobs(db, limit, offset)).map(jobBody),
    backtests: async (db, limit, offset) => (await listBacktests(db, { limit, offset })).map(linked('backtests')),
    sweeps: async (db, limit, offset) => (await listSweeps(db, limit, offset)).map(linked('sweeps')),
    portfolios: async (db, limit, offset) => (await portfolioPage(db, limit, offset)).map(linked('portfolios')),
  };
}

/**
 * One page of a list: `items` (one more is read to know whether a next page exists).
 * @example await listPage(db, lists.jobs!, 'jobs', { limit: 20, offset: 0 }) // { items, limit, offset, next }
 */
export async function listPage(db: Database, list: Lister, collection: string, query: ListQuery) {
  const read = await list(db, query.limit + 1, query.offset);
  const more = read.length > query.limit;
  return {
    items: read.slice(0, query.limit),
    limit: query.limit,
    offset: query.offset,
    next: more ? `/api/v1/${collection}?limit=${query.limit}&offset=${query.offset + query.limit}` : null,
  };
}

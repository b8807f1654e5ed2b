/** `momentum jobs`: the recorded job runs (apart from job-actions.ts, so listing them loads no job code). */
import { recentJobRuns } from '../../jobs/job-runs.js';
import { formatNumber } from '../report/report-format.js';
import { formatTable } from '../util/table.js';
import { withLightDatabase, type Output } from './cli-context.js';
import { parseIntegerOption } from './options.js';

export interface JobsFlags {
  limit?: string;
  job?: string;
  json?: boolean;
}

const compactCounts = (counts: Readonly<Record<string, number>>): string =>
  Object.entries(counts)
    .filter(([, v]) => v !== 0)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');

const clip = (text: string | null, max: number): string | null => (text && text.length > max ? `${text.slice(0, max - 1)}…` : text);

export async function jobsAction(flags: JobsFlags, output: Output): Promise<void> {
  const limit = parseIntegerOption(flags.limit, 'limit', 1, 10_000) ?? 20;
  await withLightDatabase(async (db) => {
    const runs = await recentJobRuns(db, { limit, ...(flags.job ? { name: flags.job } : {}) });
    if (flags.json) return output.out(JSON.stringify(runs, null, 2));
    if (runs.length === 0) return output.out('no job runs yet: momentum run-job NAME, or momentum schedule');
    output.out(
      formatTable(
        runs.map((r) => ({
          id: r.id,
          entry: r.entry === r.job ? r.entry : `${r.entry} (${r.job})`,
          slot: r.scheduledFor.toISOString(),
          trigger: r.trigger,
          status: r.status,
          seconds: r.endedAt ? formatNumber((r.endedAt.getTime() - r.startedAt.getTime()) / 1000, 1) : null,
          host: `${r.host}:${r.pid}`,
          counts: clip(compactCounts(r.counts), 60) || null,
          error: clip(r.error, 80),
        })),
        ['id', 'entry', 'slot', 'trigger', 'status', 'seconds', 'host', 'counts', 'error'],
      ),
    );
  });
}

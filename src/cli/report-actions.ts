/** What the report commands do (see report-commands.ts for their options). */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Database } from '../db/database.js';
import { sweepHtml } from '../report/render-sweep.js';
import { tearsheetHtml } from '../report/render-tearsheet.js';
import { writeReportPage } from '../report/report-pages.js';
import { AGGREGATES, SWEEP_METRIC_KEYS } from '../report/sweep-view.js';
import { parseParamValue, splitAssignment } from '../strategies/param-text.js';
import { withLightDatabase, type Output } from './cli-context.js';
import { parseChoice, parseIntegerOption } from './options.js';

export interface TearsheetFlags {
  vs?: string[];
  out?: string;
}

export interface SweepReportFlags {
  metric?: string;
  x?: string;
  y?: string;
  aggregate?: string;
  fix: string[];
  out?: string;
}

/** Writes the page to --out, or under MOMENTUM_HOME/reports by its default name; prints where. */
async function writePage(
  name: string,
  flags: { out?: string },
  what: string,
  html: (db: Database) => Promise<string>,
  output: Output,
): Promise<void> {
  await withLightDatabase(async (db, env) => {
    const page = await html(db);
    const path = flags.out ? resolve(flags.out) : writeReportPage(env, name, page);
    if (flags.out) writeFileSync(path, page);
    output.out(`${what}: ${path}`);
  });
}

/** Writes the tearsheet page (plotly.js inline: it opens from disk, offline) and prints where. */
export async function tearsheetAction(idText: string, flags: TearsheetFlags, output: Output): Promise<void> {
  const ids = [idText, ...(flags.vs ?? []).flatMap((v) => v.split(','))].map((text, i) =>
    parseIntegerOption(text.trim(), i === 0 ? 'id' : 'vs', 1, Number.MAX_SAFE_INTEGER)!,
  );
  await writePage(
    `backtest-${ids.join('-vs-')}.html`,
    flags,
    `tearsheet of backtest ${ids.join(', ')}`,
    (db) => tearsheetHtml(db, ids),
    output,
  );
}

/** Writes a sweep's page: heatmap, parallel coordinates, every combination, the gate verdict. */
export async function sweepReportAction(idText: string, flags: SweepReportFlags, output: Output): Promise<void> {
  const id = parseIntegerOption(idText, 'id', 1, Number.MAX_SAFE_INTEGER)!;
  const metric = parseChoice(flags.metric, 'metric', SWEEP_METRIC_KEYS as [string, ...string[]]);
  const aggregate = parseChoice(flags.aggregate, 'aggregate', AGGREGATES);
  const fixed = Object.fromEntries(flags.fix.map((pair) => splitAssignment(pair, 'fix')).map(([k, v]) => [k, parseParamValue(v)]));
  const options = {
    ...(metric ? { metric } : {}),
    ...(aggregate ? { aggregate } : {}),
    ...(flags.x ? { x: flags.x } : {}),
    ...(flags.y ? { y: flags.y } : {}),
    fixed,
  };
  await writePage(`sweep-${id}.html`, flags, `sweep ${id}`, (db) => sweepHtml(db, id, options), output);
}

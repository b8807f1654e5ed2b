/** What the report commands do (see report-commands.ts for their options). */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { tearsheetHtml } from '../report/render-tearsheet.js';
import { writeReportPage } from '../report/report-pages.js';
import { withLightDatabase, type Output } from './cli-context.js';
import { parseIntegerOption } from './options.js';

export interface TearsheetFlags {
  vs?: string[];
  out?: string;
}

/** Writes the tearsheet page (plotly.js inline: it opens from disk, offline) and prints where. */
export async function tearsheetAction(idText: string, flags: TearsheetFlags, output: Output): Promise<void> {
  const ids = [idText, ...(flags.vs ?? []).flatMap((v) => v.split(','))].map((text, i) =>
    parseIntegerOption(text.trim(), i === 0 ? 'id' : 'vs', 1, Number.MAX_SAFE_INTEGER)!,
  );
  await withLightDatabase(async (db, env) => {
    const html = await tearsheetHtml(db, ids);
    const path = flags.out ? resolve(flags.out) : writeReportPage(env, `backtest-${ids.join('-vs-')}.html`, html);
    if (flags.out) writeFileSync(path, html);
    output.out(`tearsheet of backtest ${ids.join(', ')}: ${path}`);
  });
}

/** `momentum fundamentals import`: a CSV of fundamentals checked and stored point in time, and what became of each row. */
import { importFundamentals } from '../data/fundamentals-import.js';
import type { FundamentalProblem } from '../data/validate-fundamentals.js';
import { withLightDatabase, type Output } from './cli-context.js';

export async function fundamentalsImportAction(flags: { path: string; json?: boolean }, output: Output): Promise<void> {
  await withLightDatabase(async (db) => {
    const report = await importFundamentals(db, flags.path);
    if (flags.json) return output.out(JSON.stringify(report, null, 2));
    output.out(
      `${report.file}: ${report.rows} rows: ${report.stored} stored, ${report.unchanged} unchanged, ${report.flagged.length} flagged, ${report.rejected.length} rejected, ${report.repeated.length} repeated`,
    );
    const list = (title: string, problems: readonly FundamentalProblem[]) => {
      if (problems.length === 0) return;
      output.out(`\n${title}:`);
      for (const p of problems) output.out(`  line ${p.line}${p.symbol ? ` ${p.symbol}` : ''}: ${p.reason}`);
    };
    list('flagged (stored with the flag)', report.flagged);
    list('rejected', report.rejected);
    list('repeated (stored once)', report.repeated);
    if (report.withoutValues.length > 0) output.out(`\nno fundamentals stored for ${report.withoutValues.join(', ')}`);
  });
}

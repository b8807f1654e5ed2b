/**
 * The fundamentals and qualitative parts of `momentum data summary` (per symbol: values, fields,
 * latest period and known_at, flagged; items of each qualitative kind and the latest) and `momentum data issues --fundamentals` (values stored flagged, and symbols
 * without fundamentals).
 */
import { resolveUniverse } from '../config.js';
import { flaggedFundamentals, fundamentalsSummary, type FundamentalsSummaryRow } from '../data/fundamentals-store.js';
import type { QualitativeSummaryRow } from '../data/qualitative-store.js';
import { formatTable } from '../util/table.js';
import { config, withLightDatabase, type Output } from './cli-context.js';

/** The summary's fundamentals section: a table per symbol and a totals line, or how to get some. */
export function fundamentalsSummaryText(rows: readonly FundamentalsSummaryRow[]): string[] {
  if (rows.length === 0)
    return ['\nno fundamentals stored; momentum fundamentals ingest --source yahoo --symbols AAPL (or fundamentals import --path FILE)'];
  const values = rows.reduce((n, r) => n + r.values, 0);
  const flagged = rows.reduce((n, r) => n + r.flagged, 0);
  return [
    '\nfundamentals:',
    formatTable(rows, ['symbol', 'values', 'fields', 'latest_period_end', 'latest_known_at', 'flagged']),
    `\n${rows.length} symbol(s), ${values} fundamental values, ${flagged} flagged${flagged > 0 ? ' (momentum data issues --fundamentals)' : ''}`,
  ];
}

/** The summary's qualitative section: a table per symbol, or how to get some. */
export function qualitativeSummaryText(rows: readonly QualitativeSummaryRow[]): string[] {
  if (rows.length === 0) return ['\nno qualitative data stored; momentum qualitative ingest --source yahoo --symbols AAPL'];
  return [
    "\nqualitative data (analysts' actions, recommendation counts, earnings, headlines; momentum qualitative show SYMBOL):",
    formatTable(rows, ['symbol', 'actions', 'trends', 'earnings', 'headlines', 'latest']),
  ];
}

/**
 * Values stored flagged and symbols without fundamentals: of a universe's members, or (no
 * universe) of every symbol and the symbols the ingest-fundamentals job fetches.
 */
export async function fundamentalsIssuesAction(flags: { universe?: string; json?: boolean }, output: Output): Promise<void> {
  const members = flags.universe ? resolveUniverse(config(), flags.universe).members.map((m) => m.symbol) : undefined;
  await withLightDatabase(async (db) => {
    // loaded here only: the summary and the other data commands need none of the job's imports
    const { symbolsInUse } = await import('../../jobs/ingest-fundamentals.js');
    const checked = members ?? (await symbolsInUse(db, []));
    const flagged = await flaggedFundamentals(db, members);
    const stored = new Set((await fundamentalsSummary(db, checked)).map((r) => r.symbol));
    const without = checked.filter((s) => !stored.has(s));
    const of = flags.universe ? `the universe ${flags.universe}` : 'the symbols in use (stored series and portfolios)';
    if (flags.json) return output.out(JSON.stringify({ of, flagged, without_fundamentals: without }, null, 2));
    output.out(
      flagged.length === 0
        ? 'no fundamental values stored flagged'
        : `${flagged.length} fundamental value(s) stored flagged (point-in-time reads leave them out unless includeFlagged):\n\n` +
            formatTable(flagged, ['symbol', 'field', 'period_end', 'period_type', 'value', 'flag', 'source', 'known_at']),
    );
    output.out(
      checked.length === 0
        ? `\nno symbols in use (no stored series, no portfolios) to check for fundamentals; name a universe with --universe`
        : without.length === 0
          ? `\nevery symbol of ${of} has fundamentals`
          : `\n${without.length} of ${checked.length} symbol(s) of ${of} without fundamentals (an ETF, a currency or an index has none): ${without.join(', ')}`,
    );
  });
}

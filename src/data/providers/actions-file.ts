/**
 * An events file beside CSV prices: `actions/SYMBOL.csv` next to `SYMBOL.csv`, header
 * `date,kind,value`, one split (new shares per old share) or dividend (cash per share) a row, as
 * in ../shared/data. A bad row is a per-row problem (with its line); the others are kept.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Papa from 'papaparse';
import { dateToTs } from '../bar.js';
import { ACTION_KINDS, type ActionKind, type CorporateAction } from '../corporate-action.js';
import type { UnparsedRow } from './price-provider.js';

export interface ActionsFile {
  /** The file as the user would look for it: `actions/SPY.csv`. */
  readonly name: string;
  readonly actions: readonly CorporateAction[];
  readonly problems: readonly UnparsedRow[];
}

/** The events file of a price file, when there is one. */
export function actionsFileOf(priceFile: string, symbol: string): string | null {
  const candidates = [join(dirname(priceFile), 'actions', `${symbol}.csv`), join(dirname(priceFile), 'actions', basename(priceFile))];
  return candidates.find((file) => existsSync(file)) ?? null;
}

/**
 * Reads and checks an events file. `range` (the price file's first and last date) rejects events
 * dated outside the price history.
 * @example readActionsFile('data/actions/USO.csv', 'USO', { first: '2006-04-10', last: '2020-12-11' })
 */
export function readActionsFile(file: string, symbol: string, range: { first: string; last: string } | null): ActionsFile {
  const name = `actions/${basename(file)}`;
  const text = readFileSync(file, 'utf8').replace(/^\ufeff/, '');
  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: 'greedy' });
  const problems: UnparsedRow[] = [];
  const problem = (line: number, ts: string | undefined, reason: string) => problems.push({ line, ts, reason: `${name}: ${reason}` });
  for (const error of parsed.errors) problem((error.row ?? 0) + 1, undefined, `unreadable: ${error.message}`);
  const [header, ...records] = parsed.data;
  const columns = (header ?? []).map((h) => h.trim().toLowerCase());
  const at = { date: columns.indexOf('date'), kind: columns.indexOf('kind'), value: columns.indexOf('value') };
  if (at.date < 0 || at.kind < 0 || at.value < 0) {
    problem(1, undefined, `header ${JSON.stringify((header ?? []).join(','))} is not date,kind,value: no event of this file was read`);
    return { name, actions: [], problems };
  }
  const byKey = new Map<string, { action: CorporateAction; line: number; conflict: boolean }>();
  records.forEach((fields, i) => {
    const line = i + 2;
    const checked = checkRow(fields, at, symbol, range);
    if (typeof checked === 'string') {
      problem(line, (fields[at.date] ?? '').trim(), checked);
      return;
    }
    const key = `${checked.exDate}|${checked.kind}`;
    const seen = byKey.get(key);
    if (!seen) byKey.set(key, { action: checked, line, conflict: false });
    else if (seen.action.value !== checked.value) {
      seen.conflict = true;
      problem(
        line,
        checked.exDate,
        `a second ${checked.kind} on ${checked.exDate} (${checked.value}) contradicts line ${seen.line} (${seen.action.value}): neither is kept`,
      );
    }
  });
  const actions = [...byKey.values()].filter((e) => !e.conflict).map((e) => e.action);
  return { name, actions: actions.sort((a, b) => (a.exDate < b.exDate ? -1 : a.exDate > b.exDate ? 1 : 0)), problems };
}

/** One row as an event, or what is wrong with it. */
function checkRow(
  fields: readonly string[],
  at: { readonly date: number; readonly kind: number; readonly value: number },
  symbol: string,
  range: { first: string; last: string } | null,
): CorporateAction | string {
  const date = (fields[at.date] ?? '').trim();
  const kind = (fields[at.kind] ?? '').trim().toLowerCase();
  const text = (fields[at.value] ?? '').trim();
  const value = /^[0-9]*\.?[0-9]+(e[+-]?[0-9]+)?$/i.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(dateToTs(date))) return `invalid date ${JSON.stringify(date)}: expected YYYY-MM-DD`;
  if (!(ACTION_KINDS as readonly string[]).includes(kind))
    return `unknown kind ${JSON.stringify(fields[at.kind] ?? '')}: expected split or dividend`;
  if (!(value > 0) || !Number.isFinite(value)) {
    const unit = kind === 'split' ? 'new shares per old share, 0.125 for 1:8' : 'cash per share';
    return `${kind} value ${JSON.stringify(text)} is not a number above 0 (${unit})`;
  }
  if (range && (date < range.first || date > range.last))
    return `${kind} on ${date} is outside the price history (${range.first} to ${range.last})`;
  return { symbol, exDate: date, kind: kind as ActionKind, value, source: 'csv' };
}

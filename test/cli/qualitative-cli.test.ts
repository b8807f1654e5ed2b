/**
 * `momentum qualitative ingest` refuses bad flags before any request; `momentum qualitative show`
 * prints what is stored (the built command in a child process, on the engine under test). The
 * fetching itself is tested offline in test/data/providers/yahoo-qualitative.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { AnalystAction, EarningsEvent, NewsHeadline, RecommendationTrend } from '../../src/data/qualitative.js';
import {
  storeAnalystActions,
  storeEarningsEvents,
  storeNewsHeadlines,
  storeRecommendationTrends,
} from '../../src/data/qualitative-store.js';
import { runCli } from '../helpers/cli.js';
import { cliSuite } from '../helpers/cli-env.js';
import { formatViolations, parseTables } from '../helpers/cli-tables.js';

const at = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
const source = 'yahoo';
const actions: AnalystAction[] = [
  { symbol: 'AAPL', actedAt: at('2024-01-04'), firm: 'Piper Sandler', action: 'up', fromGrade: 'Neutral', toGrade: 'Overweight', source },
  {
    symbol: 'AAPL',
    actedAt: at('2024-02-02'),
    firm: 'Barclays',
    action: 'down',
    fromGrade: 'Equal-Weight',
    toGrade: 'Underweight',
    source,
  },
];
const trends: RecommendationTrend[] = [
  { symbol: 'AAPL', month: '2024-03-01', strongBuy: 11, buy: 21, hold: 6, sell: 0, strongSell: 0, knownAt: at('2024-03-15'), source },
  { symbol: 'AAPL', month: '2024-03-01', strongBuy: 11, buy: 22, hold: 5, sell: 0, strongSell: 0, knownAt: at('2024-03-20'), source },
];
const earnings: EarningsEvent[] = [
  { symbol: 'AAPL', periodEnd: '2023-12-31', epsActual: 2.18, epsEstimate: 2, knownAt: at('2024-02-14'), knownRule: 'lag', source },
  { symbol: 'AAPL', periodEnd: '2024-03-31', epsActual: null, epsEstimate: 1.5, knownAt: at('2024-05-02'), knownRule: 'reported', source },
];
const headlines: NewsHeadline[] = [
  {
    symbol: 'AAPL',
    id: 'story-1',
    title: 'EU fines Apple over music streaming rules',
    publisher: 'Bloomberg',
    link: 'https://finance.yahoo.com/news/eu-fines-apple.html',
    publishedAt: Date.parse('2024-03-04T10:15:00Z'),
    source,
  },
];

describe('momentum qualitative', () => {
  const suite = cliSuite('qualitative');

  it.each([
    [['--source', 'ftp', '--symbols', 'AAPL'], 'error: source: unknown qualitative source "ftp"; use yahoo'],
    [['--source', 'yahoo', '--symbols', ' , '], 'error: symbols: give at least one symbol'],
  ])('ingest %j fails with a clear message before any request', async (args, message) => {
    const result = await runCli(['qualitative', 'ingest', ...args], suite.cli.env);
    expect(result.stderr).toContain(message);
    expect(result.code).toBe(1);
  });

  it('show says how to fetch when nothing is stored, then lists what is: latest first, with the surprise', async () => {
    const none = await runCli(['qualitative', 'show', 'aapl'], suite.cli.env);
    expect(none).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('no qualitative data stored for AAPL; fetch it with: momentum qualitative ingest'),
    });

    await suite.cli.withDb(async (db) => {
      await storeAnalystActions(db, actions);
      await storeRecommendationTrends(db, trends);
      await storeEarningsEvents(db, earnings);
      await storeNewsHeadlines(db, headlines);
    });
    const shown = await runCli(['qualitative', 'show', 'AAPL'], suite.cli.env);
    expect(shown.code).toBe(0);
    expect(parseTables(shown.stdout).flatMap(formatViolations)).toEqual([]);
    const lines = shown.stdout.split('\n');
    const rowAfter = (heading: string, offset: number) =>
      lines[lines.findIndex((l) => l.startsWith(heading)) + offset]!.trim().split(/\s{2,}/);
    // each table: heading, column names, rule, rows. The newest action first; March's latest counts only;
    // the quarter to come first, then the reported one
    expect(rowAfter("AAPL analysts' actions", 3)).toEqual(['2024-02-02', 'Barclays', 'down', 'Equal-Weight', 'Underweight']);
    expect(lines.filter((l) => l.startsWith('2024-03 '))).toHaveLength(1);
    expect(rowAfter('AAPL recommendation counts', 3)).toEqual(['2024-03', '11', '22', '5', '0', '0', '2024-03-20']);
    expect(rowAfter('AAPL earnings', 3)).toEqual(['2024-03-31', 'to come', '1.5', '–', '2024-05-02', 'reported']);
    expect(rowAfter('AAPL earnings', 4)).toEqual(['2023-12-31', '2.18', '2', '+9.0%', '2024-02-14', 'lag']);
    expect(rowAfter('AAPL headlines', 3)).toEqual([
      '2024-03-04',
      'Bloomberg',
      'EU fines Apple over music streaming rules',
      'https://finance.yahoo.com/news/eu-fines-apple.html',
    ]);

    const json = await runCli(['qualitative', 'show', 'AAPL', '--json', '--limit', '1'], suite.cli.env);
    const view = JSON.parse(json.stdout);
    expect(view.actions.map((a: AnalystAction) => a.firm)).toEqual(['Barclays']);
    expect(view.earnings).toEqual([{ ...earnings[1], surprise: null }]);
    expect(view.trends).toEqual([trends[1]]);
  });
});

/**
 * `momentum ingest`, `momentum data summary|runs|issues|actions`, `momentum fundamentals import|ingest`,
 * `momentum qualitative ingest|show`, `momentum universes`: definitions
 * only; the work is in ingest-action.ts and data-actions.ts, loaded when a command runs (reading
 * commands then skip the providers and their libraries).
 */
import type { Command } from 'commander';
import type { Output } from './cli-context.js';
import { dateArgument } from './options.js';
import type { IngestFlags } from './ingest-action.js';

const actions = () => import('./data-actions.js');

export function registerDataCommands(program: Command, output: Output): void {
  program
    .command('ingest')
    .description('fetch bars (only what is missing since the last stored bar), validate and store them')
    .option('--source <source>', 'yahoo | csv | synthetic', 'yahoo')
    .option('--symbols <list>', 'comma-separated symbols, e.g. SPY,TLT,GC=F,EURUSD=X')
    .option('--universe <name>', 'a named universe from the configuration file')
    .option('--interval <interval>', "1m | 5m | 15m | 1h | 1d | 1wk | 1mo (default: the universe's, else 1d)")
    .option('--from <date>', 'first date for symbols with no stored bars (YYYY-MM-DD)', dateArgument)
    .option('--to <date>', 'last date (YYYY-MM-DD, inclusive; default now)', dateArgument)
    .option('--path <path>', 'csv: a .csv file or a folder of them (symbol = file name)')
    .option('--seed <n>', 'synthetic: the market seed (default 42)')
    .option('--full', 'ignore stored bars and fetch everything again (changed rows are updated)')
    .option('--concurrency <n>', 'symbols fetched at once (default 4)')
    .option('--json', 'print the report as JSON')
    .action(async (flags: IngestFlags) => (await import('./ingest-action.js')).ingestAction(flags, output));

  const data = program.command('data').description('inspect the price store');
  data
    .command('summary')
    .description(
      'per symbol and interval: first and last bar, bar count, source; per symbol: fundamental values, fields, latest period and known_at, flagged',
    )
    .option('--interval <interval>', 'only this interval')
    .option('--symbols <list>', 'only these symbols')
    .option('--json', 'print JSON')
    .action(async (flags: { interval?: string; symbols?: string; json?: boolean }) => (await actions()).summaryAction(flags, output));
  data
    .command('runs')
    .description('recent ingest runs with their counts and status')
    .option('--limit <n>', 'how many (default 20)')
    .option('--json', 'print JSON')
    .action(async (flags: { limit?: string; json?: boolean }) => (await actions()).runsAction(flags, output));
  data
    .command('issues')
    .description(
      'rows rejected or flagged by an ingest run, with the reasons; or fundamental values stored flagged and symbols without any',
    )
    .option('--run <id>', 'the ingest run id (see momentum data runs)')
    .option('--fundamentals', 'fundamentals: values stored flagged, and symbols in use (or of --universe) without fundamentals')
    .option('--universe <name>', 'with --fundamentals: only this universe of the configuration file')
    .option('--json', 'print JSON')
    .action(async (flags: { run?: string; fundamentals?: boolean; universe?: string; json?: boolean }) =>
      (await actions()).issuesAction(flags, output),
    );

  data
    .command('actions')
    .description('the splits and dividends stored for a symbol (from Yahoo, an events file, or derived from adj_close)')
    .argument('<symbol>', 'e.g. AAPL')
    .option('--json', 'print JSON')
    .action(async (symbol: string, flags: { json?: boolean }) => (await actions()).actionsAction(symbol, flags, output));

  const fundamentals = program.command('fundamentals').description('fundamental data stored point in time (README: Fundamental data)');
  fundamentals
    .command('import')
    .description('import a CSV of your own fundamentals: symbol,field,period_end,period_type,value[,reported_date][,source]')
    .requiredOption('--path <file>', 'the .csv file')
    .option('--json', 'print the report as JSON')
    .action(async (flags: { path: string; json?: boolean }) =>
      (await import('./fundamentals-action.js')).fundamentalsImportAction(flags, output),
    );
  fundamentals
    .command('ingest')
    .description("fetch fundamentals from a provider (Yahoo's statements and earnings history) and store them point in time")
    .requiredOption('--source <name>', 'yahoo')
    .requiredOption('--symbols <list>', 'comma-separated symbols, e.g. AAPL,MSFT')
    .option('--json', 'print the outcomes as JSON')
    .action(async (flags: { source: string; symbols: string; json?: boolean }) =>
      (await import('./fundamentals-action.js')).fundamentalsIngestAction(flags, output),
    );

  const qualitative = program
    .command('qualitative')
    .description("analysts' actions and recommendation counts, earnings announcements, news headlines (README: Qualitative data)");
  qualitative
    .command('ingest')
    .description("fetch qualitative data from a provider (Yahoo's quoteSummary modules and news search) and store what is new")
    .requiredOption('--source <name>', 'yahoo')
    .requiredOption('--symbols <list>', 'comma-separated symbols, e.g. AAPL,MSFT')
    .option('--json', 'print the outcomes as JSON')
    .action(async (flags: { source: string; symbols: string; json?: boolean }) =>
      (await import('./qualitative-action.js')).qualitativeIngestAction(flags, output),
    );
  qualitative
    .command('show')
    .description("what is stored for a symbol: latest analysts' actions, recommendation counts, earnings with surprise, headlines")
    .argument('<symbol>', 'e.g. AAPL')
    .option('--limit <n>', 'items of each kind (default 10)')
    .option('--json', 'print JSON')
    .action(async (symbol: string, flags: { limit?: string; json?: boolean }) =>
      (await import('./qualitative-action.js')).qualitativeShowAction(symbol, flags, output),
    );

  program
    .command('universes')
    .description('the named universes of the configuration file')
    .action(async () => (await actions()).universesAction(output));
}

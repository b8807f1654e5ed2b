/**
 * An ingest as a request: what `momentum ingest` takes as flags (`--source`, `--symbols`,
 * `--interval`, `--from`, `--to`, `--path`, `--seed`, `--full`, `--concurrency`) and the HTTP API
 * as a body, checked by one schema and turned into the provider and the options of ingest() by one
 * plan, whichever asked.
 */
import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { calendarDateSchema, parseCalendarDate } from '../util/calendar-date.js';
import { intervalSchema, MS_PER_DAY } from './bar.js';
import type { IngestOptions } from './ingest.js';
import { createProvider, SOURCES } from './providers/create-provider.js';
import type { PriceProvider } from './providers/price-provider.js';

export const ingestRequestSchema = z.strictObject({
  source: z.enum(SOURCES, { error: (issue) => `unknown source ${JSON.stringify(issue.input)}; use one of ${SOURCES.join(', ')}` }),
  /** Symbols to ingest; the synthetic source lists its own when none are given. */
  symbols: z.array(z.string()).min(1).optional(),
  interval: intervalSchema.default('1d'),
  /** First day fetched for a symbol with no stored bars (default: all the source has). */
  from: calendarDateSchema.optional(),
  /** Last day fetched (default: today). */
  to: calendarDateSchema.optional(),
  /** csv: a file or a folder of files on the server. */
  path: z.string().min(1).optional(),
  /** synthetic: the market's seed. */
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .optional(),
  /** Ignore stored bars and fetch from `from` again. */
  full: z.boolean().default(false),
  concurrency: z.number().int().min(1).max(64).default(4),
});

export type IngestRequest = z.output<typeof ingestRequestSchema>;

export interface IngestPlan {
  readonly provider: PriceProvider;
  readonly options: Omit<IngestOptions, 'onProgress'>;
}

/**
 * The provider and options of a request; errors name the field. `symbolsFrom` says where symbols
 * come from when a source cannot list its own (`--symbols or --universe` on the command line).
 */
export async function planIngestRequest(request: IngestRequest, symbolsFrom = 'symbols'): Promise<IngestPlan> {
  const provider = createProvider(request);
  let symbols = request.symbols;
  if (!symbols) {
    if (!provider.listSymbols) throw new ValidationError('symbols', `the ${provider.name} source needs ${symbolsFrom}`);
    symbols = [...(await provider.listSymbols())];
  }
  const from = request.from === undefined ? undefined : parseCalendarDate(request.from, 'from');
  const to = request.to === undefined ? undefined : parseCalendarDate(request.to, 'to') + MS_PER_DAY - 1;
  if (from !== undefined && to !== undefined && from > to)
    throw new ValidationError('from', `from ${request.from} is after to ${request.to}`);
  const { interval, full, concurrency } = request;
  return { provider, options: { symbols, interval, from, to, full, concurrency } };
}

/** Builds a provider from a source name and its options (the CLI, jobs and the demo share this). */
import { ValidationError } from '../../errors.js';
import { CsvProvider } from './csv-provider.js';
import type { PriceProvider } from './price-provider.js';
import { SyntheticProvider } from './synthetic-provider.js';
import { YahooProvider } from './yahoo-provider.js';

export const SOURCES = ['yahoo', 'csv', 'synthetic'] as const;
export type Source = (typeof SOURCES)[number];

export interface ProviderOptions {
  readonly source: string;
  /** csv: a file or a folder of files. */
  readonly path?: string | undefined;
  /** synthetic: the market's seed. */
  readonly seed?: number | undefined;
}

export function createProvider(options: ProviderOptions): PriceProvider {
  switch (options.source) {
    case 'yahoo':
      return new YahooProvider();
    case 'csv':
      if (!options.path) throw new ValidationError('path', 'the csv source needs --path FILE_OR_FOLDER');
      return new CsvProvider({ path: options.path });
    case 'synthetic':
      return new SyntheticProvider(options.seed === undefined ? {} : { seed: options.seed });
    default:
      throw new ValidationError('source', `unknown source ${JSON.stringify(options.source)}; use one of ${SOURCES.join(', ')}`);
  }
}

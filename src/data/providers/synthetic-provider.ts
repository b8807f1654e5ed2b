/**
 * The seeded synthetic market (synthetic-market.ts) as a price provider: daily bars only, source
 * 'synthetic', every instrument named "... (not real data)" so it is never mistaken for real prices.
 */
import { ProviderError } from '../../errors.js';
import { utcDayStart } from '../bar.js';
import { generateSyntheticMarket, SYNTHETIC_SYMBOLS, syntheticInstruments, type SyntheticMarket } from '../synthetic-market.js';
import type { BarRequest, PriceProvider, ProviderResult } from './price-provider.js';

export interface SyntheticProviderOptions {
  readonly seed?: number;
  /** First date of the market, default 2000-01-03. */
  readonly start?: string;
}

export const DEFAULT_SYNTHETIC_SEED = 42;

export class SyntheticProvider implements PriceProvider {
  readonly name = 'synthetic';
  readonly seed: number;
  readonly #start: string | undefined;
  #cache: { end: number; market: SyntheticMarket } | undefined;

  constructor(options: SyntheticProviderOptions = {}) {
    this.seed = options.seed ?? DEFAULT_SYNTHETIC_SEED;
    this.#start = options.start;
  }

  async listSymbols(): Promise<readonly string[]> {
    return SYNTHETIC_SYMBOLS;
  }

  /** The whole market up to a date (cached), e.g. to read its regimes. */
  market(end: number): SyntheticMarket {
    const day = utcDayStart(end);
    if (!this.#cache || this.#cache.end !== day) {
      this.#cache = {
        end: day,
        market: generateSyntheticMarket({ seed: this.seed, end: day, ...(this.#start ? { start: this.#start } : {}) }),
      };
    }
    return this.#cache.market;
  }

  async fetchBars(request: BarRequest): Promise<ProviderResult> {
    if (request.interval !== '1d') {
      throw new ProviderError(`the synthetic market has daily bars only (asked for ${request.interval})`, { retryable: false });
    }
    const instrument = syntheticInstruments().find((i) => i.symbol === request.symbol);
    if (!instrument) {
      throw new ProviderError(`unknown synthetic symbol ${request.symbol}; known: ${SYNTHETIC_SYMBOLS.join(', ')}`, { retryable: false });
    }
    const all = this.market(request.to).bars.get(request.symbol) ?? [];
    const from = request.from ?? Number.NEGATIVE_INFINITY;
    return { rows: all.filter((bar) => bar.ts >= from && bar.ts <= request.to), unparsed: [], instrument };
  }
}

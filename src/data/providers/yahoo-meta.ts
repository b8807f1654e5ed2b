/**
 * Instrument metadata from Yahoo: the quote endpoint (preferred) or the chart's `meta` (fallback).
 */
import type { ChartMeta } from 'yahoo-finance2/modules/chart';
import type { Quote } from 'yahoo-finance2/modules/quote';
import type { AssetClass, InstrumentInfo } from '../bar.js';

// Yahoo's quoteType (quote endpoint) and instrumentType (chart meta) use the same words.
const ASSET_CLASS_BY_QUOTE_TYPE: Readonly<Record<string, AssetClass>> = {
  EQUITY: 'equity',
  ETF: 'fund',
  MUTUALFUND: 'fund',
  CURRENCY: 'currency',
  // Yahoo's futures are mostly commodities (GC=F, CL=F); index futures (ES=F) land here too.
  FUTURE: 'commodity',
  INDEX: 'index',
  CRYPTOCURRENCY: 'crypto',
};

/** `ETF` -> `fund`; null for types we do not map (OPTION, MONEYMARKET...). */
export function assetClassFromQuoteType(quoteType: string | undefined): AssetClass | null {
  return (quoteType && ASSET_CLASS_BY_QUOTE_TYPE[quoteType.toUpperCase()]) || null;
}

/** Metadata from a v7 quote. @example instrumentFromQuote('SPY', quote).asset_class // 'fund' */
export function instrumentFromQuote(symbol: string, quote: Quote): InstrumentInfo {
  const q: Partial<
    Record<'longName' | 'shortName' | 'quoteType' | 'currency' | 'fullExchangeName' | 'exchange' | 'exchangeTimezoneName', string>
  > = quote;
  return {
    symbol,
    name: q.longName ?? q.shortName,
    asset_class: assetClassFromQuoteType(q.quoteType),
    currency: q.currency,
    exchange: q.fullExchangeName ?? q.exchange,
    timezone: q.exchangeTimezoneName,
  };
}

/** What the chart's `meta` says about the instrument (less than the quote: no name for many symbols). */
export function instrumentFromChartMeta(symbol: string, meta: ChartMeta): InstrumentInfo {
  return {
    symbol,
    name: meta.longName ?? meta.shortName,
    asset_class: assetClassFromQuoteType(meta.instrumentType),
    currency: meta.currency,
    exchange: meta.fullExchangeName ?? meta.exchangeName,
    timezone: meta.exchangeTimezoneName,
  };
}

/** `primary`'s known fields, with gaps (unset or null) filled from `fallback`. */
export function mergeInstruments(primary: InstrumentInfo, fallback: InstrumentInfo): InstrumentInfo {
  const pick = <K extends keyof InstrumentInfo>(field: K) => primary[field] ?? fallback[field] ?? primary[field];
  return {
    symbol: primary.symbol,
    name: pick('name'),
    asset_class: pick('asset_class'),
    currency: pick('currency'),
    exchange: pick('exchange'),
    timezone: pick('timezone'),
  };
}

import { describe, expect, it } from 'vitest';
import { dateToTs, formatBarTime, normaliseSymbol, parseInterval, tradingDateTs } from '../../src/data/bar.js';
import { ValidationError } from '../../src/errors.js';

describe('symbols', () => {
  it.each(['SPY', 'eurusd=x', 'GC=F', '^GSPC', 'BTC-USD', 'RELIANCE.NS', 'BRK-B', '7203.T'])('accepts Yahoo symbol %s', (symbol) => {
    expect(normaliseSymbol(symbol)).toBe(symbol.toUpperCase());
  });

  it.each([
    "SPY'; drop table bars;--",
    '../etc/passwd',
    'A/B',
    'SPY OR 1=1',
    '',
    ' ',
    'A..B',
    '.HIDDEN',
    'X'.repeat(33),
    'SP Y',
    'SPY\nTLT',
    'ÄPFEL',
  ])('rejects %j with a ValidationError that says what is allowed', (symbol) => {
    expect(() => normaliseSymbol(symbol)).toThrow(ValidationError);
    expect(() => normaliseSymbol(symbol)).toThrow(/use 1-32 characters/);
  });
});

describe('times', () => {
  it('reads ISO dates as 00:00 UTC and refuses impossible ones', () => {
    expect(new Date(dateToTs('2024-02-29')).toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect(dateToTs('2023-02-29')).toBeNaN();
    expect(dateToTs('2024-1-5')).toBeNaN();
  });

  it('finds the trading date of an instant in the exchange time zone', () => {
    // 2024-03-15 03:00 UTC is still the 14th in New York and already the 15th in Kolkata.
    const instant = Date.parse('2024-03-15T03:00:00Z');
    expect(formatBarTime(tradingDateTs(instant, 'America/New_York'), '1d')).toBe('2024-03-14');
    expect(formatBarTime(tradingDateTs(instant, 'Asia/Kolkata'), '1d')).toBe('2024-03-15');
  });

  it('formats intraday bars as instants and daily bars as dates', () => {
    const ts = Date.parse('2024-03-15T14:30:00Z');
    expect(formatBarTime(ts, '5m')).toBe('2024-03-15T14:30:00.000Z');
    expect(formatBarTime(ts, '1wk')).toBe('2024-03-15');
  });

  it('rejects unknown intervals naming the allowed ones', () => {
    expect(parseInterval('1h')).toBe('1h');
    expect(() => parseInterval('2d')).toThrow('interval: unknown interval "2d"; use one of 1m, 5m, 15m, 1h, 1d, 1wk, 1mo');
  });
});

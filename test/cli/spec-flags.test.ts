/**
 * One validation path for CLI flags: the text is coerced by the schema its value goes to, the
 * symbols are resolved by one function, and the configuration is read only for a named universe.
 */
import { describe, expect, it } from 'vitest';
import { specFromFlags } from '../../src/cli/backtest-actions.js';
import { numberText, parseChoice, parseFlag, parseIntegerOption } from '../../src/cli/options.js';
import { requestFromFlags } from '../../src/cli/portfolio-actions.js';
import { costFlags, resolveSymbolFlags } from '../../src/cli/spec-flags.js';
import { parseConfig } from '../../src/config.js';
import { ValidationError } from '../../src/errors.js';

const config = parseConfig({ universes: { pair: { interval: '1wk', symbols: [{ symbol: 'SPY', name: 'S&P 500' }, 'TLT'] } } }, 'test.json');

function failure(work: () => unknown): ValidationError {
  try {
    work();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('parseFlag', () => {
  it('coerces text with the schema and names the option with what was typed', () => {
    expect(parseFlag(numberText(), ' 2.5 ', 'x')).toBe(2.5);
    expect(parseFlag(numberText(), undefined, 'x')).toBeUndefined();
    expect(failure(() => parseFlag(numberText(), 'ten', 'cash')).message).toBe('cash: expected a number, got "ten"');
    expect(failure(() => parseFlag(numberText(), '', 'cash')).message).toBe('cash: expected a number, got ""');
  });

  it('lists the choices of an enum', () => {
    expect(parseChoice('full', 'mode', ['contribution', 'full'])).toBe('full');
    expect(failure(() => parseChoice('half', 'mode', ['contribution', 'full'])).message).toBe(
      'mode: expected one of contribution, full, got "half"',
    );
  });

  it('keeps the whole-number message of options no spec checks', () => {
    expect(parseIntegerOption('7', 'limit', 1, 10)).toBe(7);
    for (const text of ['0', '2.5', 'x', ''])
      expect(failure(() => parseIntegerOption(text, 'limit', 1, 10)).message).toBe(
        `limit: expected a whole number from 1 to 10, got ${JSON.stringify(text)}`,
      );
  });
});

describe('resolveSymbolFlags', () => {
  it('takes --symbols as a list and reads no configuration', () => {
    const resolved = resolveSymbolFlags({ symbols: 'SPY, TLT,', interval: '1d' }, () => {
      throw new Error('the configuration was read');
    });
    expect(resolved).toEqual({ universe: null, symbols: ['SPY', 'TLT'], interval: '1d', metadata: undefined });
  });

  it("takes a universe's members, interval and metadata; --interval wins", () => {
    const resolved = resolveSymbolFlags({ universe: 'pair' }, () => config);
    expect(resolved.universe).toBe('pair');
    expect(resolved.symbols).toEqual(['SPY', 'TLT']);
    expect(resolved.interval).toBe('1wk');
    expect(resolved.metadata?.get('SPY')?.name).toBe('S&P 500');
    expect(resolveSymbolFlags({ universe: 'pair', interval: '1d' }, () => config).interval).toBe('1d');
  });

  it('refuses both flags before reading the configuration, and unknown universes and intervals', () => {
    const unread = () => {
      throw new Error('the configuration was read');
    };
    expect(failure(() => resolveSymbolFlags({ universe: 'pair', symbols: 'SPY' }, unread)).message).toBe(
      'symbols: give --symbols or --universe, not both',
    );
    expect(failure(() => resolveSymbolFlags({ universe: 'nope' }, () => config)).field).toBe('universe');
    expect(failure(() => resolveSymbolFlags({ symbols: 'SPY', interval: '7d' }, unread)).field).toBe('interval');
  });
});

describe('spec flags go through the spec schemas', () => {
  it('gives only the cost flags typed, checked by the cost schema', () => {
    expect(costFlags({})).toEqual({});
    expect(costFlags({ bps: '2', fee: '1.5' })).toEqual({ bps: 2, fixedFee: 1.5 });
    expect(failure(() => costFlags({ slippageBps: '-1' })).field).toBe('slippage-bps');
  });

  it('builds a backtest spec, refusing out-of-range values with the flag named', () => {
    const spec = specFromFlags({
      strategy: 'ma-trend',
      symbols: 'SPY,TLT',
      param: ['window=20'],
      cash: '5000',
      fill: 'next-close',
      bps: '1',
    });
    expect(spec).toMatchObject({
      symbols: ['SPY', 'TLT'],
      initialCash: 5000,
      fill: 'next-close',
      costs: { bps: 1, slippageBps: 5, fixedFee: 0 },
    });
    expect(spec.params.window).toBe(20);
    const flags = { strategy: 'ma-trend', symbols: 'SPY', param: [] };
    expect(failure(() => specFromFlags({ ...flags, cash: '-5' })).field).toBe('cash');
    expect(failure(() => specFromFlags({ ...flags, maxLeverage: '11' })).field).toBe('max-leverage');
    expect(failure(() => specFromFlags({ ...flags, fill: 'at-noon' })).message).toBe(
      'fill: expected one of next-open, next-close, got "at-noon"',
    );
    expect(failure(() => specFromFlags({ ...flags, symbols: ' , ' })).message).toContain('give --universe NAME or --symbols A,B');
  });

  it('builds a portfolio request whose amount is checked once, by the request schema', () => {
    const base = { strategy: 'xs-momentum', symbols: 'SPY,TLT', param: [] };
    const request = requestFromFlags({ ...base, amount: '1000', sip: '100', every: 'quarter', count: '4', lotSize: '10' });
    expect(request).toMatchObject({ amount: 1000, mode: 'sip', sip: { installment: 100, every: 'quarter', count: 4 }, lotSize: 10 });
    expect(failure(() => requestFromFlags({ ...base, amount: '-1' })).message).toBe('amount: must be more than 0, got "-1"');
    expect(failure(() => requestFromFlags({ ...base, amount: '1', optimizer: 'best' })).message).toBe(
      'optimizer: expected one of none, mpo, got "best"',
    );
    expect(failure(() => requestFromFlags({ ...base, amount: '1', sip: '5', every: 'day' })).field).toBe('every');
  });
});

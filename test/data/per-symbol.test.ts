/** The provider ingests' loop: a symbol's failure is its own outcome; a cancellation stops the rest. */
import { describe, expect, it } from 'vitest';
import { eachSymbol } from '../../src/data/per-symbol.js';

describe('eachSymbol', () => {
  it("turns a symbol's error into its outcome and goes on with the others, in order", async () => {
    const outcomes = await eachSymbol(['A', 'B', 'C'], undefined, async (symbol) => {
      if (symbol === 'B') throw new Error('B is broken');
      return { symbol, status: 'stored' as const };
    });
    expect(outcomes).toEqual([
      { symbol: 'A', status: 'stored' },
      { symbol: 'B', status: 'failed', error: 'B is broken' },
      { symbol: 'C', status: 'stored' },
    ]);
  });

  it('stops at a cancellation: the error is thrown and no later symbol is tried', async () => {
    const controller = new AbortController();
    const tried: string[] = [];
    const run = eachSymbol(['A', 'B', 'C'], controller.signal, async (symbol) => {
      tried.push(symbol);
      if (symbol === 'B') {
        controller.abort();
        throw new Error('cancelled');
      }
      return { symbol };
    });
    await expect(run).rejects.toThrow('cancelled');
    expect(tried).toEqual(['A', 'B']);
  });
});

import { describe, expect, it } from 'vitest';
import { describeChunk, MAX_CHUNK_SIZE, sweepChunks } from '../../src/backtest/sweep-chunks.js';

describe('sweepChunks', () => {
  it('cuts the grid positions into consecutive chunks, the last one shorter, covering each position once', () => {
    expect(sweepChunks(7, 120, 50)).toEqual([
      { sweepId: 7, from: 0, to: 50 },
      { sweepId: 7, from: 50, to: 100 },
      { sweepId: 7, from: 100, to: 120 },
    ]);
    const chunks = sweepChunks(1, 1_000, 33);
    const positions = chunks.flatMap((c) => Array.from({ length: c.to - c.from }, (_, i) => c.from + i));
    expect(positions).toEqual(Array.from({ length: 1_000 }, (_, i) => i));
  });

  it('makes one chunk of a grid smaller than a chunk, and none of an empty one', () => {
    expect(sweepChunks(2, 3, 50)).toEqual([{ sweepId: 2, from: 0, to: 3 }]);
    expect(sweepChunks(2, 0, 50)).toEqual([]);
  });

  it('refuses a size that is not a whole number from 1 to the maximum, naming the option', () => {
    for (const size of [0, -1, 2.5, MAX_CHUNK_SIZE + 1]) expect(() => sweepChunks(1, 10, size)).toThrow(/chunk-size/);
  });

  it('describes a chunk by its sweep and positions', () => {
    expect(describeChunk({ sweepId: 3, from: 50, to: 100 })).toBe('sweep 3, combinations 50-99');
  });
});

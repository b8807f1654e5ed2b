import { describe, expect, it } from 'vitest';
import { latestOnly } from '../../src/util/latest-only.js';

/** A write that finishes when the test says so. */
function controlledWrites() {
  const written: number[] = [];
  const pending: (() => void)[] = [];
  const write = (value: number) =>
    new Promise<void>((resolve) => {
      written.push(value);
      pending.push(resolve);
    });
  const finishOne = async () => {
    pending.shift()!();
    // Let the chain start the next write, if any.
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { written, write, finishOne, pending };
}

describe('latestOnly', () => {
  it('writes the first value at once, folds those pushed meanwhile into one write of the latest', async () => {
    const { written, write, finishOne } = controlledWrites();
    const progress = latestOnly(write);
    progress.push(1);
    await Promise.resolve();
    expect(written).toEqual([1]);
    for (const value of [2, 3, 4]) progress.push(value);
    expect(written).toEqual([1]);
    await finishOne();
    expect(written).toEqual([1, 4]);
    await finishOne();
    await progress.settled();
    expect(written).toEqual([1, 4]);
    progress.push(5);
    await Promise.resolve();
    await finishOne();
    await progress.settled();
    expect(written).toEqual([1, 4, 5]);
  });
});

import { describe, expect, it } from 'vitest';
import { mapWithConcurrency } from '../../src/util/pool.js';
import { withRetry } from '../../src/util/retry.js';
import { createRandom } from '../../src/util/random.js';

describe('withRetry', () => {
  it('retries retryable failures with full-jitter exponential backoff capped at maxDelay', async () => {
    const delays: number[] = [];
    let calls = 0;
    const result = await withRetry(
      async () => {
        if (++calls < 5) throw new Error('busy');
        return 'done';
      },
      {
        retries: 5,
        baseDelayMs: 100,
        maxDelayMs: 500,
        isRetryable: () => true,
        random: () => 1,
        sleep: async (ms) => void delays.push(ms),
      },
    );
    expect(result).toBe('done');
    expect(delays).toEqual([100, 200, 400, 500]);
  });

  it('gives up after the retries, and at once on a non-retryable error', async () => {
    let calls = 0;
    const options = { retries: 2, baseDelayMs: 1, maxDelayMs: 1, sleep: async () => undefined };
    await expect(
      withRetry(async () => Promise.reject(new Error(`fail ${++calls}`)), { ...options, isRetryable: () => true }),
    ).rejects.toThrow('fail 3');
    calls = 0;
    await expect(
      withRetry(async () => Promise.reject(new Error(`fail ${++calls}`)), { ...options, isRetryable: () => false }),
    ).rejects.toThrow('fail 1');
  });
});

describe('mapWithConcurrency', () => {
  it('keeps order and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapWithConcurrency([5, 1, 4, 2, 3, 0], 2, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, n * 3));
      running--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30, 0]);
    expect(peak).toBe(2);
  });
});

describe('createRandom', () => {
  it('is reproducible from its seed, uniform in [0, 1) and roughly standard normal', () => {
    const a = createRandom(9);
    const b = createRandom(9);
    const xs = Array.from({ length: 20_000 }, () => a.normal());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b.normal()));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    const u = createRandom(1);
    const draws = Array.from({ length: 10_000 }, () => u.next());
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    expect(new Set(Array.from({ length: 1000 }, () => u.integer(1, 3)))).toEqual(new Set([1, 2, 3]));
  });
});

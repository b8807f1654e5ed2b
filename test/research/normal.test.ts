/**
 * Phi and Phi^-1 against values computed with mpmath at 40 digits (ncdf, and findroot on it).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalCdf, normalQuantile } from '../../src/research/normal.js';

/** |actual - expected| <= tolerance * |expected|. */
function expectRelative(actual: number, expected: number, tolerance: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.abs(expected));
}

describe('normalCdf', () => {
  it('is one half at zero', () => {
    expect(normalCdf(0)).toBe(0.5);
  });

  it('matches known values near the centre', () => {
    expectRelative(normalCdf(1.96), 0.9750021048517795, 1e-15);
    expectRelative(normalCdf(-1), 0.15865525393145705, 1e-15);
    expectRelative(normalCdf(5), 0.9999997133484281, 1e-15);
  });

  it('keeps its relative precision in the lower tail', () => {
    expectRelative(normalCdf(-3), 0.0013498980316301, 1e-12);
    expectRelative(normalCdf(-3), 0.0013498980316300946, 1e-14);
    expectRelative(normalCdf(-5), 2.866515718791939e-7, 1e-14);
    expectRelative(normalCdf(-8), 6.220960574271784e-16, 1e-13);
    expectRelative(normalCdf(-20), 2.7536241186062337e-89, 1e-12);
    expectRelative(normalCdf(-37), 5.725571222524577e-300, 1e-12);
  });

  it('saturates beyond the range of doubles and passes NaN through', () => {
    expect(normalCdf(-40)).toBe(0);
    expect(normalCdf(40)).toBe(1);
    expect(normalCdf(-Infinity)).toBe(0);
    expect(normalCdf(Infinity)).toBe(1);
    expect(normalCdf(Number.NaN)).toBeNaN();
  });

  it('is symmetric: Phi(-x) = 1 - Phi(x)', () => {
    fc.assert(
      fc.property(fc.double({ min: -8, max: 8, noNaN: true }), (x) => {
        expect(Math.abs(normalCdf(-x) - (1 - normalCdf(x)))).toBeLessThan(1e-15);
      }),
      { seed: 1 },
    );
  });

  it('is non-decreasing', () => {
    fc.assert(
      fc.property(fc.double({ min: -38, max: 9, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (x, step) => {
        expect(normalCdf(x + step)).toBeGreaterThanOrEqual(normalCdf(x));
      }),
      { seed: 2 },
    );
  });
});

describe('normalQuantile', () => {
  it('matches known values', () => {
    expectRelative(normalQuantile(0.975), 1.959963984540054, 1e-14);
    expectRelative(normalQuantile(0.025), -1.959963984540054, 1e-14);
    expectRelative(normalQuantile(0.001), -3.0902323061678136, 1e-14);
    expectRelative(normalQuantile(1e-10), -6.361340902404056, 1e-13);
    expectRelative(normalQuantile(1e-300), -37.0470962993612, 1e-13);
    expect(normalQuantile(0.5)).toBe(0);
  });

  it('is NaN outside (0, 1)', () => {
    for (const p of [0, 1, -0.1, 1.5, Number.NaN, Infinity]) expect(normalQuantile(p)).toBeNaN();
  });

  it('is antisymmetric: Phi^-1(1 - p) = -Phi^-1(p)', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 0.5, noNaN: true }), (p) => {
        expect(Math.abs(normalQuantile(1 - p) + normalQuantile(p))).toBeLessThan(1e-9);
      }),
      { seed: 3 },
    );
  });

  it('inverts normalCdf: Phi(Phi^-1(p)) = p, relative to min(p, 1 - p)', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-300, max: 1, maxExcluded: true, noNaN: true }), (p) => {
        const back = normalCdf(normalQuantile(p));
        expect(Math.abs(back - p)).toBeLessThanOrEqual(1e-12 * Math.min(p, 1 - p) + 2e-16);
      }),
      { seed: 4, numRuns: 1000 },
    );
  });

  it('round-trips Phi^-1(Phi(x)) = x', () => {
    fc.assert(
      fc.property(fc.double({ min: -30, max: 7, noNaN: true }), (x) => {
        // Above 0 the information in Phi(x) is limited by its distance to 1.
        const tolerance = x <= 0 ? 1e-12 * Math.max(1, Math.abs(x)) : 1e-12 / (1 - normalCdf(x));
        expect(Math.abs(normalQuantile(normalCdf(x)) - x)).toBeLessThanOrEqual(tolerance);
      }),
      { seed: 5, numRuns: 1000 },
    );
  });
});

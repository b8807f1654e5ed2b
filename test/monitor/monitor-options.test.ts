import { describe, expect, it } from 'vitest';
import { symbolAge } from '../../src/monitor/data-age.js';
import { DEFAULT_THRESHOLDS, monitorSettings } from '../../src/monitor/monitor-options.js';
import { ValidationError } from '../../src/errors.js';

describe('monitorSettings', () => {
  it('defaults to -5%, -10%, -20% for the portfolio and for positions, no trailing stop, raw closes', () => {
    expect(monitorSettings()).toEqual({
      thresholds: { portfolio: [-0.05, -0.1, -0.2], position: [-0.05, -0.1, -0.2] },
      trailingStop: null,
      staleAfterDays: null,
      basis: 'close',
      strategyCheck: true,
    });
    expect(DEFAULT_THRESHOLDS).toEqual([-0.05, -0.1, -0.2]);
  });

  it('reads either sign, removes repeats and sorts shallowest first', () => {
    expect(monitorSettings({ thresholds: [0.1, -0.05, 0.05] }).thresholds).toEqual({ portfolio: [-0.05, -0.1], position: [-0.05, -0.1] });
    expect(monitorSettings({ thresholds: { position: [0.3] } }).thresholds).toEqual({ portfolio: [-0.05, -0.1, -0.2], position: [-0.3] });
  });

  it('refuses nonsense, naming the field', () => {
    expect(() => monitorSettings({ thresholds: [1.5] })).toThrow(ValidationError);
    expect(() => monitorSettings({ thresholds: [1.5] })).toThrow(/thresholds.0: a threshold must be a fraction strictly between 0 and 1/);
    expect(() => monitorSettings({ trailingStop: 15 })).toThrow(/trailingStop: trailing stop must be below 1/);
    expect(() => monitorSettings({ basis: 'adjusted' as never })).toThrow(/basis/);
  });
});

describe('symbolAge', () => {
  const friday = Date.UTC(2024, 0, 5);
  it('counts calendar days from the last bar to the as-of date', () => {
    expect(symbolAge('A', friday, Date.UTC(2024, 0, 9), 4, false)).toEqual({
      symbol: 'A',
      lastBarTs: friday,
      ageDays: 4,
      stale: false,
      missing: false,
    });
    expect(symbolAge('A', friday, Date.UTC(2024, 0, 10), 4, false).stale).toBe(true);
  });

  it('calls a symbol without any bar stale and missing', () => {
    expect(symbolAge('Z', null, friday, 4, false)).toEqual({ symbol: 'Z', lastBarTs: null, ageDays: null, stale: true, missing: true });
  });
});

/** The sweep form's pure parts: the sweep job body it makes, its refusals, and the ranges it offers. */
import { describe, expect, it } from 'vitest';
import { fieldErrors } from '../../src/api/web/strategy-form.js';
import { SWEEP_FIELDS, sweepStrategiesView, sweepSubmission } from '../../src/api/web/sweep-form.js';

const UNIVERSES = [{ name: 'pair', description: null, symbols: ['SPY', 'TLT'] }];
const form = (fields: Record<string, string>) => new URLSearchParams(fields);

describe('the sweep form', () => {
  it("makes a sweep body from the chosen strategy's values only; an empty field is not swept", () => {
    const submission = sweepSubmission(
      form({
        strategy: 'xs-momentum',
        universe: 'pair',
        'grid.xs-momentum.lookback': ' 126, 252 ,',
        'grid.xs-momentum.skip': '',
        'grid.xs-momentum.longShort': 'false,true',
        'grid.ts-momentum.lookback': '9',
        from: '2020-01-01',
        to: '',
        gateSet: 'default',
      }),
      UNIVERSES,
    );
    expect(submission).toEqual({
      ok: true,
      body: {
        strategy: 'xs-momentum',
        universe: 'pair',
        symbols: ['SPY', 'TLT'],
        grid: { lookback: [126, 252], longShort: [false, true] },
        from: '2020-01-01',
        gateSet: 'default',
      },
    });
  });

  it('takes symbols typed in, and leaves the sweep ungated without a gate set', () => {
    const submission = sweepSubmission(
      form({ strategy: 'ts-momentum', symbols: 'SPY tlt', 'grid.ts-momentum.lookback': '9', gateSet: ' ' }),
      UNIVERSES,
    );
    expect(submission).toEqual({
      ok: true,
      body: { strategy: 'ts-momentum', universe: null, symbols: ['SPY', 'tlt'], grid: { lookback: [9] } },
    });
  });

  it('refuses an unknown universe, both a universe and symbols, and nothing to sweep, each beside its field', () => {
    const cases: [Record<string, string>, (typeof SWEEP_FIELDS)[number]][] = [
      [{ strategy: 'xs-momentum', universe: 'nowhere', 'grid.xs-momentum.lookback': '126' }, 'universe'],
      [{ strategy: 'xs-momentum', universe: 'pair', symbols: 'SPY', 'grid.xs-momentum.lookback': '126' }, 'symbols'],
      [{ strategy: 'xs-momentum', universe: 'pair', 'grid.xs-momentum.lookback': ' , ', 'grid.ts-momentum.lookback': '9' }, 'grid'],
    ];
    for (const [fields, field] of cases) {
      const submission = sweepSubmission(form(fields), UNIVERSES);
      expect(submission.ok, JSON.stringify(fields)).toBe(false);
      if (!submission.ok) expect(fieldErrors(submission.fields, SWEEP_FIELDS)[field], JSON.stringify(fields)).toMatch(/\w/);
    }
    // A refusal of the job's own checks is shown beside its field too.
    expect(fieldErrors([{ path: 'grid.lookback', message: 'needs at least one value' }], SWEEP_FIELDS).grid).toBe(
      'grid.lookback: needs at least one value',
    );
  });

  it("offers each strategy's documented sweep ranges, or the values sent", () => {
    const xs = (view: ReturnType<typeof sweepStrategiesView>) => view.find((s) => s.name === 'xs-momentum')!.params;
    const fresh = xs(sweepStrategiesView(form({})));
    expect(fresh.find((p) => p.name === 'lookback')).toEqual({ name: 'lookback', default: '252', value: '126, 189, 252, 315' });
    expect(fresh.find((p) => p.name === 'targetScale')).toMatchObject({ value: '' });
    const sent = xs(sweepStrategiesView(form({ 'grid.xs-momentum.lookback': '<b>' })));
    expect(sent.find((p) => p.name === 'lookback')!.value).toBe('<b>');
  });
});

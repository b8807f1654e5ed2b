/** The strategy and simulation forms' pure parts: the job body they make, the refusals by field, and the session's CSRF token. */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { simulationSubmission } from '../../src/api/web/simulation-form.js';
import { fieldErrors, strategySubmission } from '../../src/api/web/strategy-form.js';
import { webSessions } from '../../src/api/web/web-session.js';

const UNIVERSES = [{ name: 'pair', description: null, symbols: ['SPY', 'TLT'] }];
const form = (fields: Record<string, string>) => new URLSearchParams(fields);

describe('the strategy form', () => {
  it('makes a backtest body from the chosen strategy, its own parameters and the universe', () => {
    const submission = strategySubmission(
      form({
        strategy: 'xs-momentum',
        universe: 'pair',
        'param.xs-momentum.topPct': '50',
        'param.ts-momentum.lookback': '9',
        from: '2020-01-01',
        to: '',
      }),
      UNIVERSES,
    );
    expect(submission).toEqual({
      ok: true,
      kind: 'backtest',
      body: { strategy: 'xs-momentum', universe: 'pair', symbols: ['SPY', 'TLT'], params: { topPct: 50 }, from: '2020-01-01' },
    });
  });

  it('makes a portfolio body with the amount, the as-of date and ignore gates', () => {
    const submission = strategySubmission(
      form({
        kind: 'portfolio',
        strategy: 'xs-momentum',
        universe: '',
        symbols: 'SPY,GLD',
        name: 'core',
        amount: '2500.5',
        ignoreGates: 'on',
      }),
      UNIVERSES,
    );
    expect(submission).toEqual({
      ok: true,
      kind: 'portfolio',
      body: {
        name: 'core',
        request: {
          strategy: 'xs-momentum',
          universe: null,
          symbols: ['SPY', 'GLD'],
          hyperparameters: {},
          amount: 2500.5,
          ignoreGates: true,
        },
      },
    });
  });

  it('refuses an unknown universe, both a universe and symbols, and an amount that is not a number', () => {
    expect(strategySubmission(form({ strategy: 'x', universe: 'other' }), UNIVERSES)).toMatchObject({
      ok: false,
      fields: [{ path: 'universe' }],
    });
    expect(strategySubmission(form({ strategy: 'x', universe: 'pair', symbols: 'SPY' }), UNIVERSES)).toMatchObject({
      ok: false,
      fields: [{ path: 'symbols' }],
    });
    for (const amount of ['', 'lots', 'Infinity'])
      expect(strategySubmission(form({ kind: 'portfolio', strategy: 'x', universe: 'pair', amount }), UNIVERSES)).toMatchObject({
        ok: false,
        fields: [{ path: 'request.amount' }],
      });
  });

  it('puts each refusal beside its field: request.* and parameters included, the rest only in the summary', () => {
    const errors = fieldErrors([
      { path: 'request.amount', message: 'must be more than 0' },
      { path: 'params.topPct', message: 'too small' },
      { path: 'request.hyperparameters.lookback', message: 'not a number' },
      { path: 'request.currency', message: 'unknown' },
    ]);
    expect(errors).toEqual({
      universe: null,
      symbols: null,
      strategy: null,
      params: 'params.topPct: too small; hyperparameters.lookback: not a number',
      from: null,
      to: null,
      name: null,
      amount: 'amount: must be more than 0',
      asOf: null,
    });
  });
});

describe('the session CSRF token', () => {
  const request = (cookie?: string) => ({ headers: cookie ? { cookie } : {} }) as IncomingMessage;

  it('is the session cookie own: refused without the cookie, with another session, or from another server start', () => {
    const sessions = webSessions();
    const fresh = sessions.of(request());
    expect(fresh.setCookie).toMatch(/^momentum_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
    const cookie = fresh.setCookie!.split(';')[0]!;
    const again = sessions.of(request(`other=1; ${cookie}`));
    expect(again).toEqual({ csrf: fresh.csrf, setCookie: undefined, signedIn: false });
    expect(sessions.csrfMatches(request(cookie), fresh.csrf)).toBe(true);
    expect(sessions.csrfMatches(request(), fresh.csrf)).toBe(false);
    expect(sessions.csrfMatches(request(cookie), null)).toBe(false);
    expect(sessions.csrfMatches(request(cookie), `${fresh.csrf}x`)).toBe(false);
    const other = sessions.of(request());
    expect(sessions.csrfMatches(request(cookie), other.csrf)).toBe(false);
    expect(webSessions().csrfMatches(request(cookie), fresh.csrf)).toBe(false);
  });
});

describe('the simulation form', () => {
  it('makes a simulation body: the dates given (empty: the defaults), the two boxes', () => {
    expect(simulationSubmission(12, form({ from: ' 2015-01-01 ', to: '', ignoreGates: 'on' }))).toEqual({
      backtestId: 12,
      from: '2015-01-01',
      ignoreGates: true,
      allowOverlap: false,
    });
    expect(simulationSubmission(3, form({ to: '2016-12-31', allowOverlap: 'on' }))).toEqual({
      backtestId: 3,
      to: '2016-12-31',
      ignoreGates: false,
      allowOverlap: true,
    });
  });
});

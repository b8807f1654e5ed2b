/**
 * XIRR against published and closed-form answers and an independent NPV, and the time-weighted
 * return against hand-checked cases where it and XIRR must differ in a known direction.
 */
import { describe, expect, it } from 'vitest';
import { DataError, ValidationError } from '../../src/errors.js';
import { annualise, daysBetween, timeWeightedReturn, xirr, type CashFlow } from '../../src/portfolio/cash-flows.js';

/** Σ a_i / (1 + r)^(days_i / 365), days from the first date, computed from the calendar. */
function npv(flows: readonly CashFlow[], rate: number): number {
  const day = (date: string) => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / 86_400_000;
  const first = Math.min(...flows.map((f) => day(f.date)));
  return flows.reduce((sum, f) => sum + f.amount / Math.pow(1 + rate, (day(f.date) - first) / 365), 0);
}

function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

const EXCEL: CashFlow[] = [
  { date: '2008-01-01', amount: -10_000 },
  { date: '2008-03-01', amount: 2750 },
  { date: '2008-10-30', amount: 4250 },
  { date: '2009-02-15', amount: 3250 },
  { date: '2009-04-01', amount: 2750 },
];

describe('xirr', () => {
  it("matches Microsoft's XIRR documentation example (0.373362535) and zeroes the NPV", () => {
    const rate = xirr(EXCEL);
    // Excel iterates to 1e-8; the NPV check below is the tighter one.
    expect(Math.abs(rate - 0.373362535)).toBeLessThan(1e-8);
    expect(Math.abs(npv(EXCEL, rate))).toBeLessThan(1e-8);
    // A rate 1e-7 either side leaves a residual of the opposite sign: it is the root, not near one.
    expect(Math.sign(npv(EXCEL, rate - 1e-7))).toBe(-Math.sign(npv(EXCEL, rate + 1e-7)));
  });

  it('equals the closed form (FV / PV)^(365 / days) - 1 for two flows', () => {
    const cases: [string, string, number, number][] = [
      ['2019-03-15', '2023-07-01', 1000, 1500],
      ['2020-01-01', '2021-01-01', 100, 110], // 366 days: a leap year
      ['2015-06-30', '2015-09-30', 5000, 4800], // a loss over a quarter
      ['2000-01-01', '2030-01-01', 100, 1e6], // large growth over decades
      ['2020-01-01', '2020-01-02', 100, 200], // doubling in a day: 2^365 - 1
      ['2020-01-01', '2021-01-01', 100, 1e-9], // almost everything lost
    ];
    for (const [from, to, pv, fv] of cases) {
      const days = (Date.parse(to) - Date.parse(from)) / 86_400_000;
      const expected = Math.pow(fv / pv, 365 / days) - 1;
      const rate = xirr([
        { date: to, amount: fv }, // order does not matter
        { date: from, amount: -pv },
      ]);
      expect(Math.abs(rate - expected), `${from} -> ${to}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected)));
    }
  });

  it('finds a rate whose NPV is zero for irregular flows with withdrawals and a loss', () => {
    const flows: CashFlow[] = [
      { date: '2018-01-10', amount: -50_000 },
      { date: '2018-04-02', amount: -12_000 },
      { date: '2018-12-31', amount: 3000 },
      { date: '2019-07-15', amount: -8000 },
      { date: '2020-03-23', amount: 20_000 },
      { date: '2021-01-04', amount: 41_000 },
    ];
    const rate = xirr(flows);
    expect(rate).toBeLessThan(0); // 70,000 in, 64,000 out
    expect(Math.abs(npv(flows, rate))).toBeLessThan(1e-6);
    expect(Math.sign(npv(flows, rate - 1e-7))).toBe(-Math.sign(npv(flows, rate + 1e-7)));
    // The same rate from a far guess.
    expect(xirr(flows, 5)).toBeCloseTo(rate, 12);
    expect(xirr(flows, -0.9)).toBeCloseTo(rate, 12);
  });

  it('returns one root of flows with two, nearest the guess', () => {
    // -100 now, +230 in a year, -132 in two: NPV = 0 at r = 10% and r = 20% (roots of 100x^2 - 230x + 132).
    const flows: CashFlow[] = [
      { date: '2021-01-01', amount: -100 },
      { date: '2022-01-01', amount: 230 },
      { date: '2023-01-01', amount: -132 },
    ];
    const low = xirr(flows, 0.05);
    const high = xirr(flows, 0.3);
    expect(Math.abs(npv(flows, low))).toBeLessThan(1e-9);
    expect(Math.abs(npv(flows, high))).toBeLessThan(1e-9);
    expect(low).toBeCloseTo(0.1, 3); // 365-day years: 2021 and 2022 are not leap years, so exact
    expect(high).toBeCloseTo(0.2, 3);
    expect(low).toBeCloseTo(0.1, 12);
    expect(high).toBeCloseTo(0.2, 12);
  });

  it('says why when there is no rate', () => {
    const noSignChange = thrown(() =>
      xirr([
        { date: '2020-01-01', amount: -100 },
        { date: '2021-01-01', amount: -5 },
      ]),
    );
    expect(noSignChange).toBeInstanceOf(ValidationError);
    expect(noSignChange.message).toContain('needs at least one negative amount (paid in) and one positive amount');
    const noRoot = thrown(() =>
      xirr([
        { date: '2020-01-01', amount: -100 },
        { date: '2020-06-01', amount: 30 },
        { date: '2021-01-01', amount: -132 },
      ]),
    );
    expect(noRoot).toBeInstanceOf(DataError);
    expect(noRoot.message).toContain('no annual rate');
    expect(thrown(() => xirr([{ date: '2020-01-01', amount: -100 }])).message).toContain('needs at least two cash flows');
    expect(
      thrown(() =>
        xirr([
          { date: '2020-01-01', amount: -100 },
          { date: '2020-01-01', amount: 100 },
        ]),
      ).message,
    ).toContain('one date');
  });

  it('rejects bad dates and amounts, naming the flow', () => {
    const bad = (date: string, amount = 100) =>
      thrown(() =>
        xirr([
          { date: '2020-01-01', amount: -100 },
          { date, amount },
        ]),
      ) as ValidationError;
    expect(bad('2023-02-30').field).toBe('flows[1].date');
    expect(bad('2023-02-30').message).toContain('2023-02-30 is not a calendar date (February 2023 has 28 days); use YYYY-MM-DD');
    expect(bad('2023/01/01').field).toBe('flows[1].date');
    expect(bad('1 March 2023').field).toBe('flows[1].date');
    expect(bad('2023-01-01', Number.NaN).field).toBe('flows[1].amount');
    expect((thrown(() => xirr(EXCEL, -1)) as ValidationError).field).toBe('guess');
  });

  it('does not mutate its input', () => {
    const flows = structuredClone(EXCEL);
    xirr(flows);
    expect(flows).toEqual(EXCEL);
  });
});

describe('timeWeightedReturn', () => {
  // 100 in; it doubles to 200; 1000 more in; the 1200 halves to 600.
  const doubledThenHalved = [
    { value: 0, contribution: 100 },
    { value: 200, contribution: 1000 },
    { value: 600, contribution: 0 },
  ];

  it('chain-links sub-period returns, ignoring the size of the flows', () => {
    // (200 / 100) x (600 / 1200) - 1 = 0: the manager doubled and halved.
    expect(timeWeightedReturn(doubledThenHalved)).toBe(0);
    // 1.1 x 0.95 x 1.2 - 1, whatever came in between.
    const linked = timeWeightedReturn([
      { value: 0, contribution: 1000 },
      { value: 1100, contribution: 500 },
      { value: 1520, contribution: -200 },
      { value: 1584, contribution: 0 },
    ]);
    expect(linked).toBeCloseTo(1.1 * 0.95 * 1.2 - 1, 14);
  });

  it('differs from XIRR in the expected direction when money arrives before a bad or a good period', () => {
    // Most money was in during the halving: the investor lost (XIRR < 0) though TWR is 0.
    const bad = xirr([
      { date: '2021-01-01', amount: -100 },
      { date: '2022-01-01', amount: -1000 },
      { date: '2023-01-01', amount: 600 },
    ]);
    expect(bad).toBeLessThan(timeWeightedReturn(doubledThenHalved));
    // Whole years (2021, 2022 have 365 days): 100 x^2 + 1000 x = FV with x = 1 + r, a quadratic.
    const root = (fv: number) => (-1000 + Math.sqrt(1000 ** 2 + 400 * fv)) / 200 - 1;
    expect(bad).toBeCloseTo(root(600), 12); // -43.2%
    // Halved first (100 -> 50), then 1000 more in and the 1050 doubles: TWR still 0, the investor gained.
    const goodTwr = timeWeightedReturn([
      { value: 0, contribution: 100 },
      { value: 50, contribution: 1000 },
      { value: 2100, contribution: 0 },
    ]);
    const good = xirr([
      { date: '2021-01-01', amount: -100 },
      { date: '2022-01-01', amount: -1000 },
      { date: '2023-01-01', amount: 2100 },
    ]);
    expect(goodTwr).toBe(0);
    expect(good).toBeGreaterThan(goodTwr);
    expect(good).toBeCloseTo(root(2100), 12); // +78.2%
  });

  it('skips a sub-period with nothing invested and rejects bad valuations', () => {
    expect(
      timeWeightedReturn([
        { value: 0, contribution: 0 },
        { value: 0, contribution: 100 },
        { value: 150, contribution: 0 },
      ]),
    ).toBeCloseTo(0.5, 15);
    expect((thrown(() => timeWeightedReturn([{ value: 10, contribution: 0 }])) as ValidationError).field).toBe('valuations');
    expect(
      (
        thrown(() =>
          timeWeightedReturn([
            { value: -1, contribution: 10 },
            { value: 5, contribution: 0 },
          ]),
        ) as ValidationError
      ).field,
    ).toBe('valuations[0].value');
    expect(
      (
        thrown(() =>
          timeWeightedReturn([
            { value: 10, contribution: -20 },
            { value: 5, contribution: 0 },
          ]),
        ) as ValidationError
      ).field,
    ).toBe('valuations[0].contribution');
  });
});

describe('annualise and daysBetween', () => {
  it('turn a total return over calendar days into an annual rate', () => {
    expect(daysBetween('2020-01-01', '2021-01-01')).toBe(366);
    expect(annualise(0.21, 730)).toBeCloseTo(0.1, 14);
    expect(annualise(0.1, 0)).toBeNaN();
  });
});

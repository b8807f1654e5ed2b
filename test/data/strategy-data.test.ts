/**
 * The point-in-time inputs of strategies, pure parts: which bar first sees an event (the as-of rule
 * of fundamentals.ts), events placed per symbol, a panel cut to some of its bars, and the record
 * (with its fingerprint) a backtest stores of what it read.
 */
import { describe, expect, it } from 'vitest';
import { AS_OF_RULE, firstBarSeeing } from '../../src/data/fundamentals.js';
import type { AnalystAction } from '../../src/data/qualitative.js';
import { dataUsed, describeDataNeeds, loadStrategyData, placeEvents, slicePointInTime } from '../../src/data/strategy-data.js';
import type { Database } from '../../src/db/database.js';

const at = (iso: string) => Date.parse(iso);
/** Daily bars (00:00 UTC) Mon 2024-01-01 .. Fri 2024-01-05, then Mon 2024-01-08. */
const DAYS = Float64Array.from(
  ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-08'].map((d) => at(`${d}T00:00:00Z`)),
);

const action = (symbol: string, iso: string, kind: AnalystAction['action'] = 'up'): AnalystAction => ({
  symbol,
  actedAt: at(iso),
  firm: 'F',
  action: kind,
  fromGrade: null,
  toGrade: null,
  source: 'test',
});

describe('firstBarSeeing: an event known during day D is first seen by the first bar of a later UTC day', () => {
  it.each([
    ['2024-01-02T21:30:00Z', 2, 'after the close of 01-02: the bar of 01-03'],
    ['2024-01-02T00:00:00Z', 2, 'at 00:00 of 01-02 (a date without a time): still not the bar of 01-02'],
    ['2024-01-01T23:59:59Z', 1, 'late on 01-01: the bar of 01-02'],
    ['2024-01-06T12:00:00Z', 5, 'on a Saturday: Monday'],
    ['2023-12-31T12:00:00Z', 0, 'before the first bar: the first bar'],
    ['2024-01-08T09:00:00Z', 6, 'on the last bar day: no bar (dates.length)'],
  ])('%s -> bar %i (%s)', (iso, bar) => {
    expect(firstBarSeeing(DAYS, at(iso))).toBe(bar);
  });

  it('intraday bars of the same day never see it, the next day does', () => {
    const bars = Float64Array.from(['2024-01-02T14:30:00Z', '2024-01-02T20:00:00Z', '2024-01-03T14:30:00Z'].map(at));
    expect(firstBarSeeing(bars, at('2024-01-02T10:00:00Z'))).toBe(2);
    expect(firstBarSeeing(bars, at('2024-01-01T22:00:00Z'))).toBe(0);
  });
});

describe('placeEvents', () => {
  it('groups by symbol in panel order with each first bar, in bar order; leaves out what no bar sees and other symbols', () => {
    const placed = placeEvents(
      ['BBB', 'AAA'],
      DAYS,
      [
        action('AAA', '2024-01-03T15:00:00Z'),
        action('BBB', '2024-01-04T01:00:00Z', 'down'),
        action('AAA', '2024-01-01T08:00:00Z'),
        action('ZZZ', '2024-01-02T08:00:00Z'),
        action('AAA', '2024-01-08T08:00:00Z'),
      ],
      (a) => a.actedAt,
    );
    expect(placed.map((list) => list.map((a) => [a.symbol, a.action, a.firstBar]))).toEqual([
      [['BBB', 'down', 4]],
      [
        ['AAA', 'up', 1],
        ['AAA', 'up', 3],
      ],
    ]);
  });
});

describe('slicePointInTime', () => {
  it('cuts fundamentals to the bars kept and renumbers events; an event seen before the cut is seen from its first bar', () => {
    const column = Float64Array.of(1, 1, 2, 2, 3, 3);
    const data = {
      fundamentals: { fields: ['roe' as const], periodType: 'annual' as const, values: { roe: [column] }, periodEnd: { roe: [column] } },
      analystActions: [
        placeEvents(['AAA'], DAYS, [action('AAA', '2024-01-01T08:00:00Z'), action('AAA', '2024-01-04T08:00:00Z')], (a) => a.actedAt)[0]!,
      ],
    };
    const cut = slicePointInTime(data, 2, 4);
    expect(Array.from(cut.fundamentals!.values.roe![0]!)).toEqual([2, 2]);
    expect(cut.analystActions![0]!.map((a) => a.firstBar)).toEqual([0]);
    expect(slicePointInTime(data, 0, 4).analystActions![0]!.map((a) => a.firstBar)).toEqual([1]);
    expect(slicePointInTime(data, 0, 5).analystActions![0]!.map((a) => a.firstBar)).toEqual([1, 4]);
  });
});

describe('dataUsed', () => {
  const column = () => Float64Array.of(NaN, 0.1, 0.1, 0.2, 0.2, 0.2);
  const fundamentals = () => ({
    fields: ['roe' as const],
    periodType: 'annual' as const,
    values: { roe: [column()] },
    periodEnd: { roe: [column()] },
  });

  it('is null for a price-only panel, and names fields, period type, lag, rule and event kinds otherwise', () => {
    expect(dataUsed({})).toBeNull();
    const used = dataUsed({ fundamentals: fundamentals(), earnings: [[]] });
    expect(used).toMatchObject({
      asOfRule: AS_OF_RULE,
      fundamentals: { fields: ['roe'], periodType: 'annual', lagDays: 90 },
      events: ['earnings'],
      eventRows: 0,
    });
    expect(used!.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('its fingerprint follows every value and event the bars see', () => {
    const base = dataUsed({ fundamentals: fundamentals() })!.fingerprint;
    expect(dataUsed({ fundamentals: fundamentals() })!.fingerprint).toBe(base);
    const changed = fundamentals();
    changed.values.roe[0]![5] = 0.3;
    expect(dataUsed({ fundamentals: changed })!.fingerprint).not.toBe(base);
    const events = (list: AnalystAction[]) => ({ analystActions: placeEvents(['AAA'], DAYS, list, (a) => a.actedAt) });
    const one = dataUsed(events([action('AAA', '2024-01-02T08:00:00Z')]))!.fingerprint;
    expect(dataUsed(events([action('AAA', '2024-01-02T08:00:00Z'), action('AAA', '2024-01-03T08:00:00Z')]))!.fingerprint).not.toBe(one);
    // Known on the last bar's day: no bar sees it, so nothing changes.
    expect(dataUsed(events([action('AAA', '2024-01-02T08:00:00Z'), action('AAA', '2024-01-08T08:00:00Z')]))!.fingerprint).toBe(one);
  });
});

describe('describeDataNeeds', () => {
  it('says what is read and the rule in one line', () => {
    expect(
      describeDataNeeds({ fundamentals: { fields: ['net_income', 'total_equity'], periodType: 'annual' }, analystActions: true }),
    ).toBe(
      "annual fundamentals net_income, total_equity (known at the reported date, else period end + 90 days); analysts' actions; each seen from the UTC day after it was known",
    );
  });
});

describe('loadStrategyData', () => {
  it('asks the database nothing for a strategy that declares no data', async () => {
    const unusable = new Proxy({} as Database, {
      get: () => {
        throw new Error('queried');
      },
    });
    await expect(loadStrategyData(unusable, undefined, { symbols: ['AAA'], dates: DAYS })).resolves.toEqual({});
    await expect(loadStrategyData(unusable, { earnings: true }, { symbols: ['AAA'], dates: DAYS })).rejects.toThrow('queried');
  });
});

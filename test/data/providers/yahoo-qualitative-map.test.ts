/**
 * The mapping of Yahoo's qualitative items where the fixtures of yahoo-qualitative.test.ts do not
 * reach: when an upcoming earnings date is sound enough to store, and items dated after the fetch.
 */
import { describe, expect, it } from 'vitest';
import { mapAnalystActions, mapHeadlines, mapUpcomingEarnings } from '../../../src/data/providers/yahoo-qualitative-map.js';

const fetchedAt = Date.parse('2024-03-15T12:00:00Z');
const ctx = { symbol: 'AAA', source: 'yahoo', fetchedAt };
const calendar = (dates: readonly string[], estimate = false) => ({
  earnings: { earningsDate: dates.map((d) => new Date(`${d}T00:00:00Z`)), isEarningsDateEstimate: estimate, earningsAverage: 1.25 },
});

describe('mapUpcomingEarnings', () => {
  it('stores a confirmed date to come as the quarter after the latest reported one, known from that date', () => {
    // a fiscal quarter ending in January: the next one ends in April, whatever the calendar quarter
    expect(mapUpcomingEarnings(calendar(['2024-05-20']), '2024-01-31', ctx)).toEqual({
      items: [
        {
          symbol: 'AAA',
          periodEnd: '2024-04-30',
          epsActual: null,
          epsEstimate: 1.25,
          knownAt: Date.parse('2024-05-20T00:00:00Z'),
          knownRule: 'reported',
          source: 'yahoo',
        },
      ],
      notes: [],
    });
  });

  it.each([
    [['2024-05-02'], true, '2023-12-31', "2024-05-02 is Yahoo's estimate, not an announced date"],
    [['2024-03-01'], false, '2023-12-31', '2024-03-01 has passed (earningsHistory gives the result)'],
    [['2024-05-02'], false, undefined, 'no reported quarter to tell which quarter 2024-05-02 reports'],
    // the history lags a quarter: the date is for the quarter after the inferred one
    [['2024-07-30'], false, '2023-12-31', '2024-07-30 does not follow the quarter after 2023-12-31 (ending 2024-03-31)'],
    [['2024-03-20'], false, '2023-12-31', '2024-03-20 does not follow the quarter after 2023-12-31 (ending 2024-03-31)'],
  ])('does not store %j (estimate %s, latest quarter %s): %s', (dates, estimate, latest, why) => {
    expect(mapUpcomingEarnings(calendar(dates, estimate), latest, ctx)).toEqual({
      items: [],
      notes: [`upcoming earnings date not stored: ${why}`],
    });
  });

  it('gives nothing and says nothing when Yahoo lists no date', () => {
    expect(mapUpcomingEarnings(calendar([]), '2023-12-31', ctx)).toEqual({ items: [], notes: [] });
    expect(mapUpcomingEarnings(undefined, '2023-12-31', ctx)).toEqual({ items: [], notes: [] });
  });
});

describe('items dated after the fetch', () => {
  it('drops an action or a headline from the future, beyond an hour of clock difference', () => {
    const action = (at: number) => ({ epochGradeDate: new Date(at), firm: 'F', action: 'up', toGrade: 'Buy', fromGrade: '' });
    const mapped = mapAnalystActions([action(fetchedAt + 30 * 60_000), action(fetchedAt + 2 * 3_600_000)], ctx);
    expect(mapped.items.map((a) => [a.actedAt, a.fromGrade])).toEqual([[fetchedAt + 30 * 60_000, null]]);
    expect(mapped.notes).toEqual(['analyst action 2 dropped: dated after the fetch']);
    const story = {
      uuid: 'u',
      title: 'T',
      publisher: 'P',
      link: 'http://example.com/a',
      providerPublishTime: new Date(fetchedAt + 86_400_000),
    };
    expect(mapHeadlines([story], ctx)).toEqual({ items: [], notes: ['headline 1 dropped: dated after the fetch'] });
  });
});

/** Past slots of a cron expression in a zone: hand-computed cases across DST, and agreement with node-cron's own walker. */
import { createTask } from 'node-cron';
import { describe, expect, it } from 'vitest';
import { slotsBackward, slotsBetween } from '../../jobs/cron-slots.js';

const iso = (slots: readonly number[]) => slots.map((t) => new Date(t).toISOString());

describe('slotsBetween', () => {
  it('finds weekday 22:30 New York slots across the March 2024 DST change (EST -5 then EDT -4)', () => {
    const slots = slotsBetween('30 22 * * 1-5', 'America/New_York', Date.parse('2024-03-07T04:00:00Z'), Date.parse('2024-03-13T03:00:00Z'));
    expect(iso(slots)).toEqual([
      '2024-03-08T03:30:00.000Z', // Thu 7 Mar 22:30 EST
      '2024-03-09T03:30:00.000Z', // Fri 8 Mar 22:30 EST; the weekend has none
      '2024-03-12T02:30:00.000Z', // Mon 11 Mar 22:30 EDT
      '2024-03-13T02:30:00.000Z', // Tue 12 Mar 22:30 EDT
    ]);
  });

  it('skips a local time that a DST change removes, as node-cron does, and keeps the window bounds (exclusive, inclusive)', () => {
    const slots = slotsBetween('30 2 * * *', 'America/New_York', Date.parse('2024-03-09T07:30:00Z'), Date.parse('2024-03-11T06:30:00Z'));
    // 10 Mar 02:30 does not exist in New York; 9 Mar 07:30Z is the excluded lower bound, 11 Mar 06:30Z the included upper one.
    expect(iso(slots)).toEqual(['2024-03-11T06:30:00.000Z']);
  });

  it('handles the last day of the month (L) in Paris, leap day included', () => {
    const slots = slotsBetween('0 0 L * *', 'Europe/Paris', Date.parse('2024-01-01T00:00:00Z'), Date.parse('2024-04-01T00:00:00Z'));
    expect(iso(slots)).toEqual(['2024-01-30T23:00:00.000Z', '2024-02-28T23:00:00.000Z', '2024-03-30T23:00:00.000Z']);
  });

  it('slotsBackward gives the newest first and computes only what is taken (a window of 56 years of seconds)', () => {
    const now = Date.parse('2026-03-01T12:00:00.500Z');
    const newest: number[] = [];
    for (const ts of slotsBackward('* * * * * *', 'UTC', 0, now)) if (newest.push(ts) === 3) break;
    expect(iso(newest)).toEqual(['2026-03-01T12:00:00.000Z', '2026-03-01T11:59:59.000Z', '2026-03-01T11:59:58.000Z']);
    const [weekly] = slotsBackward('0 6 * * 6', 'America/New_York', 0, now);
    expect(iso([weekly!])).toEqual(['2026-02-28T11:00:00.000Z']);
  });

  it('is empty for an empty or reversed window', () => {
    expect(slotsBetween('* * * * * *', 'UTC', 5_000, 5_000)).toEqual([]);
    expect(slotsBetween('* * * * * *', 'UTC', 9_000, 5_000)).toEqual([]);
  });

  it.each([
    ['*/7 * * * * *', 'UTC', 30],
    ['15 */5 * * * *', 'Asia/Kolkata', 30],
    ['0 30 9 * * 1-5', 'America/New_York', 15],
    ['0 0 1 * *', 'Australia/Lord_Howe', 6],
    ['45 23 * * 0', 'Pacific/Chatham', 10],
  ])('agrees with node-cron looking forward: %s in %s', (cron, zone, count) => {
    const task = createTask(cron, () => undefined, { timezone: zone });
    const ahead = task.getNextRuns(count).map((d) => d.getTime());
    void task.destroy();
    // node-cron's own walker found these one after another; the window from just before the first to the last must give exactly them.
    expect(slotsBetween(cron, zone, ahead[0]! - 1, ahead[ahead.length - 1]!)).toEqual(ahead);
  });
});

/**
 * Past slots of a cron expression in a time zone, for catch-up. node-cron 4 only looks forward
 * (getNextRuns), so the candidates are enumerated here from its parsed fields (local day x hour x
 * minute x second, pruned to the window) and each is confirmed with node-cron's own matcher: a slot
 * is exactly what node-cron would have fired, day-of-month/day-of-week rules and DST included (a
 * local time skipped by a DST change never matches, as in node-cron).
 */
import { createTask, parse } from 'node-cron';

const SECOND = 1_000;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

interface LocalParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

function localParts(ts: number, zone: string): LocalParts {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(ts))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute!, second: parts.second! };
}

/** The zone's offset from UTC at an instant, in ms (local = utc + offset). */
function offsetAt(ts: number, zone: string): number {
  const p = localParts(ts, zone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ts / SECOND) * SECOND;
}

/** The instant a local wall-clock time names in a zone (for a time in a DST gap: a nearby instant that will not match). */
export function localToInstant(p: LocalParts, zone: string): number {
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  const first = wall - offsetAt(wall, zone);
  return wall - offsetAt(first, zone);
}

/**
 * Every slot of `cron` in `zone` in the window (fromExclusive, toInclusive], oldest first (epoch ms).
 * @example slotsBetween('30 22 * * 1-5', 'America/New_York', Date.parse('2024-03-08T00:00Z'), Date.parse('2024-03-12T12:00Z'))
 *   // [2024-03-09T03:30Z (Fri 22:30 EST), 2024-03-12T02:30Z (Mon 22:30 EDT)]
 */
export function slotsBetween(cron: string, zone: string, fromExclusive: number, toInclusive: number): number[] {
  if (!(toInclusive > fromExclusive)) return [];
  const fields = parse(cron);
  const hours = [...fields.hour].sort((a, b) => a - b);
  const minutes = [...fields.minute].sort((a, b) => a - b);
  const seconds = [...fields.second].sort((a, b) => a - b);
  const matcher = createTask(cron, () => undefined, { timezone: zone });
  try {
    const slots = new Set<number>();
    const first = localParts(fromExclusive, zone);
    const last = localParts(toInclusive, zone);
    const lastDay = Date.UTC(last.year, last.month - 1, last.day) + DAY;
    for (let dayUtc = Date.UTC(first.year, first.month - 1, first.day) - DAY; dayUtc <= lastDay; dayUtc += DAY) {
      const d = new Date(dayUtc);
      const date = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
      if (!fields.month.includes(date.month)) continue;
      for (const hour of hours) {
        // An hour's instants are contiguous but for a DST change inside it: an hour of slack.
        const hourStart = localToInstant({ ...date, hour, minute: 0, second: 0 }, zone);
        if (hourStart > toInclusive + HOUR) break;
        if (hourStart + 2 * HOUR <= fromExclusive) continue;
        for (const minute of minutes) {
          const minuteStart = localToInstant({ ...date, hour, minute, second: 0 }, zone);
          if (minuteStart > toInclusive) break;
          if (minuteStart + MINUTE <= fromExclusive) continue;
          for (const second of seconds) {
            const ts = minuteStart + second * SECOND;
            if (ts > toInclusive) break;
            if (ts > fromExclusive && matcher.match(new Date(ts))) slots.add(ts);
          }
        }
      }
    }
    return [...slots].sort((a, b) => a - b);
  } finally {
    void matcher.destroy();
  }
}

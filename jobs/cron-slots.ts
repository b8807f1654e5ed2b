/**
 * Past slots of a cron expression in a time zone, for catch-up. node-cron 4 only looks forward
 * (getNextRuns), so the candidates are enumerated here from its parsed fields (local day x hour x
 * minute x second, pruned to the window) and each is confirmed with node-cron's own matcher: a slot
 * is exactly what node-cron would have fired, day-of-month/day-of-week rules and DST included (a
 * local time skipped by a DST change never matches, as in node-cron).
 *
 * Lazily, newest first (`slotsBackward`): catch-up wants the most recent few of a window that may
 * hold hundreds of thousands (a week of an every-second entry), and must not compute them all. A day
 * the expression cannot match (day of month, day of week) is passed over with two probes, not one
 * per candidate.
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
  return [...slotsBackward(cron, zone, fromExclusive, toInclusive)].reverse();
}

const descending = (values: Iterable<number>) => [...values].sort((a, b) => b - a);

/**
 * The slots of `cron` in `zone` in the window (fromExclusive, toInclusive], newest first, computed as
 * they are asked for: stop iterating and nothing more is computed.
 * @example const [latest] = slotsBackward('0 * * * *', 'UTC', Date.now() - 86_400_000, Date.now())
 */
export function* slotsBackward(cron: string, zone: string, fromExclusive: number, toInclusive: number): Generator<number> {
  if (!(toInclusive > fromExclusive)) return;
  const fields = parse(cron);
  const hours = descending(fields.hour);
  const minutes = descending(fields.minute);
  const seconds = descending(fields.second);
  const matcher = createTask(cron, () => undefined, { timezone: zone });
  try {
    const at = (date: { year: number; month: number; day: number }, hour: number, minute: number, second: number) =>
      localToInstant({ ...date, hour, minute, second }, zone);
    // Day of month and day of week hold for a whole local day: its first and last candidates tell.
    const dayCanMatch = (date: { year: number; month: number; day: number }) =>
      matcher.match(new Date(at(date, hours[hours.length - 1]!, minutes[minutes.length - 1]!, seconds[seconds.length - 1]!))) ||
      matcher.match(new Date(at(date, hours[0]!, minutes[0]!, seconds[0]!)));
    const first = localParts(fromExclusive, zone);
    const last = localParts(toInclusive, zone);
    const firstDay = Date.UTC(first.year, first.month - 1, first.day) - DAY;
    // Strictly decreasing, so a local time that two DST rules map to one instant is given once.
    let previous = Number.POSITIVE_INFINITY;
    for (let dayUtc = Date.UTC(last.year, last.month - 1, last.day) + DAY; dayUtc >= firstDay; dayUtc -= DAY) {
      const d = new Date(dayUtc);
      const date = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
      if (!fields.month.includes(date.month) || !dayCanMatch(date)) continue;
      for (const hour of hours) {
        // An hour's instants are contiguous but for a DST change inside it: an hour of slack.
        const hourStart = at(date, hour, 0, 0);
        if (hourStart + 2 * HOUR <= fromExclusive) return;
        if (hourStart > toInclusive + HOUR) continue;
        for (const minute of minutes) {
          const minuteStart = at(date, hour, minute, 0);
          if (minuteStart + MINUTE <= fromExclusive) break;
          if (minuteStart > toInclusive) continue;
          for (const second of seconds) {
            const ts = minuteStart + second * SECOND;
            if (ts <= fromExclusive) break;
            if (ts > toInclusive || ts >= previous || !matcher.match(new Date(ts))) continue;
            previous = ts;
            yield ts;
          }
        }
      }
    }
  } finally {
    void matcher.destroy();
  }
}

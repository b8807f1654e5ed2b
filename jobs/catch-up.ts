/**
 * Which slots were missed within the catch-up window: of each entry, the `catchUpLimit` most recent
 * slots of the window without a job_runs row. Found newest first and a few at a time (cron-slots.ts),
 * yielding to the event loop in between, so a start with a week of an every-second entry serves
 * /health and obeys SIGTERM while it plans; the older slots given up are counted (up to 10,000) for
 * the operator's log line.
 */
import type { ScheduleConfig, ScheduleEntry } from '../src/config.js';
import type { Database } from '../src/db/database.js';
import { slotsBackward } from './cron-slots.js';
import { countRecordedSlots, recordedSlots } from './job-runs.js';

export interface MissedSlot {
  readonly entry: ScheduleEntry;
  readonly slot: Date;
}

export interface GivenUp {
  /** Missed slots older than the `catchUpLimit` most recent ones, among those counted. */
  readonly count: number;
  /** Set when counting stopped at COUNT_LIMIT slots: slots before it were not looked at. */
  readonly notCountedBefore: Date | null;
}

export interface CatchUpPlan {
  /** Oldest first; entries in configuration order within one instant. */
  readonly slots: readonly MissedSlot[];
  /** Per entry, missed slots given up because they are older than the `catchUpLimit` most recent slots. */
  readonly dropped: ReadonlyMap<string, GivenUp>;
}

export interface PlanOptions {
  /** Asked between steps: true stops the planning (the service is stopping); the plan so far is returned. */
  readonly stopped?: () => boolean;
}

/** Older slots counted for the log line at most (as many as the largest catchUpLimit). */
const COUNT_LIMIT = 10_000;
/** Slots computed between two turns of the event loop. */
const STEP = 200;

/** @example const plan = await planCatchUp(db, config.schedule, Date.now(), { stopped: () => stopping }) */
export async function planCatchUp(db: Database, schedule: ScheduleConfig, now: number, options: PlanOptions = {}): Promise<CatchUpPlan> {
  const stopped = options.stopped ?? (() => false);
  const slots: MissedSlot[] = [];
  const dropped = new Map<string, GivenUp>();
  if (schedule.catchUpWindowMs <= 0) return { slots, dropped };
  const from = now - schedule.catchUpWindowMs;
  for (const entry of schedule.entries) {
    const due = slotsBackward(entry.cron, entry.timezone, from, now);
    try {
      // Only the most recent slots are candidates: older ones are given up for good, not left for the next start.
      const candidates = await take(due, schedule.catchUpLimit, stopped);
      if (candidates.length > 0) {
        const recorded = await recordedSlots(db, entry.name, new Date(candidates[candidates.length - 1]!), new Date(candidates[0]!));
        for (const ts of candidates) if (!recorded.has(ts)) slots.push({ entry, slot: new Date(ts) });
      }
      const older = await take(due, COUNT_LIMIT, stopped);
      if (older.length > 0) {
        const recorded = await countRecordedSlots(db, entry.name, new Date(older[older.length - 1]!), new Date(older[0]!));
        const more = older.length === COUNT_LIMIT && !due.next().done;
        const count = older.length - recorded;
        if (count > 0 || more) dropped.set(entry.name, { count, notCountedBefore: more ? new Date(older[older.length - 1]!) : null });
      }
    } finally {
      due.return(undefined);
    }
    if (stopped()) break;
  }
  const order = new Map(schedule.entries.map((e, i) => [e.name, i]));
  slots.sort((a, b) => a.slot.getTime() - b.slot.getTime() || order.get(a.entry.name)! - order.get(b.entry.name)!);
  return { slots, dropped };
}

/** Up to `count` more values of `values`, letting the event loop turn every STEP of them. */
async function take(values: Iterator<number>, count: number, stopped: () => boolean): Promise<number[]> {
  const out: number[] = [];
  while (out.length < count && !stopped()) {
    const next = values.next();
    if (next.done) break;
    out.push(next.value);
    if (out.length % STEP === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  return out;
}

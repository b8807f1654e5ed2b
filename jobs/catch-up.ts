/**
 * Catch-up: at start, the slots of each entry within the window that have no run (the service was
 * down), or whose run belongs to a dead process (a 'running' row whose lease lapsed), run once,
 * oldest first across entries. Only the `catchUpLimit` most recent slots of each entry's window are
 * candidates; missed slots before them are given up (logged), not left for the next start.
 */
import type { ScheduleConfig, ScheduleEntry } from '../src/config.js';
import type { Database } from '../src/db/database.js';
import { slotsBetween } from './cron-slots.js';
import { recordedSlots } from './job-runs.js';

export interface MissedSlot {
  readonly entry: ScheduleEntry;
  readonly slot: Date;
}

export interface CatchUpPlan {
  /** Oldest first; entries in configuration order within one instant. */
  readonly slots: readonly MissedSlot[];
  /** Per entry, missed slots given up because they are older than the `catchUpLimit` most recent slots. */
  readonly dropped: ReadonlyMap<string, number>;
}

/** @example const plan = await planCatchUp(db, config.schedule, Date.now()) */
export async function planCatchUp(db: Database, schedule: ScheduleConfig, now: number): Promise<CatchUpPlan> {
  const slots: MissedSlot[] = [];
  const dropped = new Map<string, number>();
  if (schedule.catchUpWindowMs <= 0) return { slots, dropped };
  for (const entry of schedule.entries) {
    const due = slotsBetween(entry.cron, entry.timezone, now - schedule.catchUpWindowMs, now);
    if (due.length === 0) continue;
    const recorded = await recordedSlots(db, entry.name, new Date(due[0]!), new Date(due[due.length - 1]!));
    const isMissed = (ts: number) => !recorded.has(ts);
    // Only the most recent slots are candidates: older ones are given up for good, not left for the next start.
    const candidates = schedule.catchUpLimit > 0 ? due.slice(-schedule.catchUpLimit) : [];
    const givenUp = due.slice(0, due.length - candidates.length).filter(isMissed).length;
    if (givenUp > 0) dropped.set(entry.name, givenUp);
    for (const ts of candidates.filter(isMissed)) slots.push({ entry, slot: new Date(ts) });
  }
  const order = new Map(schedule.entries.map((e, i) => [e.name, i]));
  slots.sort((a, b) => a.slot.getTime() - b.slot.getTime() || order.get(a.entry.name)! - order.get(b.entry.name)!);
  return { slots, dropped };
}

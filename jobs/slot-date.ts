/**
 * A slot's calendar day where the schedule entry lives: 22:30 in New York is already tomorrow in
 * UTC, and a rebalance or a drawdown check belongs to the trading day it follows.
 */
import type { JobContext } from './job.js';

/** YYYY-MM-DD of the slot in its entry's time zone (UTC for a run outside the schedule). */
export function slotDate(ctx: Pick<JobContext, 'slot' | 'entry' | 'config'>): string {
  const zone = ctx.config.schedule?.entries.find((e) => e.name === ctx.entry)?.timezone ?? 'UTC';
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ctx.slot);
}

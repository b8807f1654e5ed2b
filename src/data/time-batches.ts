/**
 * A symbol's rows regrouped into batches for writing. Every row of one time lands in one batch, so
 * validateBars sees a time's duplicates together and resolves them as it would over the whole file;
 * and the batches come in time order, so the duplicates of a time can never be split across two.
 * A source out of time order cannot be batched that way: OutOfOrder says so, and the caller reads it
 * whole instead (size Infinity: one batch, any order).
 */
import type { BarChunk, CandidateBar, UnparsedRow } from './providers/price-provider.js';

/** Rows in a batch: ~15 MB of rows, validated bars and COPY input at a time. */
export const BATCH_ROWS = 20_000;

export class OutOfOrder extends Error {}

/** @example for await (const batch of timeOrderedBatches(stream.chunks, BATCH_ROWS)) await write(batch) */
export async function* timeOrderedBatches(chunks: AsyncIterable<BarChunk>, size: number): AsyncGenerator<BarChunk> {
  let rows: CandidateBar[] = [];
  let unparsed: UnparsedRow[] = [];
  let last = Number.NEGATIVE_INFINITY;
  for await (const chunk of chunks) {
    for (const problem of chunk.unparsed) unparsed.push(problem);
    for (const row of chunk.rows) {
      // A row without a time (NaN) is rejected by validation wherever it lands.
      if (row.ts > last) {
        if (rows.length >= size) {
          yield { rows, unparsed };
          rows = [];
          unparsed = [];
        }
        last = row.ts;
      } else if (row.ts < last && size !== Number.POSITIVE_INFINITY) {
        throw new OutOfOrder(`line ${row.line ?? '?'} goes back in time`);
      }
      rows.push(row);
    }
  }
  if (rows.length + unparsed.length > 0) yield { rows, unparsed };
}

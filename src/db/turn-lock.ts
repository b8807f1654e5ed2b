/**
 * First come, first served exclusive access to the embedded database while its owner serves it:
 * the owner's own queries and transactions and each client's turn (embedded-server.ts) take it.
 */
export interface TurnLock {
  /** Resolves with the function that ends the turn, once every earlier turn has ended. */
  acquire(): Promise<() => void>;
}

/** @example const turns = createTurnLock(); const end = await turns.acquire(); try { ... } finally { end(); } */
export function createTurnLock(): TurnLock {
  let tail: Promise<void> = Promise.resolve();
  return {
    acquire() {
      let end!: () => void;
      const ended = new Promise<void>((resolve) => (end = resolve));
      const ready = tail.then(() => end);
      tail = tail.then(() => ended);
      return ready;
    },
  };
}

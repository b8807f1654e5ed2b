/**
 * A transaction on one connection that can run multi-statement scripts (migrations), single
 * parameterised queries, and COPY bulk loads. Both engines provide it.
 */
export interface ScriptTransaction {
  exec(script: string): Promise<void>;
  query<R>(text: string, params?: readonly unknown[]): Promise<R[]>;
  /** Runs one statement and returns the number of rows it inserted, updated or deleted. */
  execute(text: string, params?: readonly unknown[]): Promise<number>;
  /** COPY ... FROM in PostgreSQL's binary format (see binary-copy.ts for the encoder). */
  copyFrom(table: string, columns: readonly string[], data: Uint8Array): Promise<void>;
}

/** Something that can run work inside one such transaction: both database engines can. */
export interface ScriptRunner {
  scriptTransaction<T>(work: (tx: ScriptTransaction) => Promise<T>): Promise<T>;
}

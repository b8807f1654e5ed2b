/**
 * Serves an open embedded database (PGlite) to other processes: the PostgreSQL wire protocol on a
 * Unix socket (mode 0600, in the private MOMENTUM_HOME), so `pg` connects to it as to a server.
 *
 * PGlite is one backend session, so clients take turns (TurnLock, shared with the owner's own
 * queries). A turn begins with a client's message and ends when the backend reports itself idle
 * (ReadyForQuery 'I'): a whole simple query, a whole extended-protocol exchange up to its Sync, or a
 * whole transaction. Turns never interleave, so a transaction sees no statement of another client
 * and a client's unnamed statement is never replaced by another's. What a session sets outside a
 * transaction (SET, temporary tables, named prepared statements) is shared by every client: do not
 * rely on it across turns. A client that goes away in the middle of its turn is rolled back.
 *
 * PGlite reads COPY FROM STDIN input from the request itself (it cannot wait for the client), so the
 * server answers CopyInResponse, collects the data up to CopyDone and hands PGlite the whole
 * exchange at once; the same COPY through the extended protocol is refused (PGlite would abort).
 */
import { chmodSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import { DatabaseError, errorMessage } from '../errors.js';
import type { TurnLock } from './turn-lock.js';

export interface EmbeddedServer {
  readonly path: string;
  /** Clients waiting for their turn now (what tests wait on). */
  readonly waiting: number;
  /** Stops accepting, waits up to `graceMs` for the turn in progress, then closes every client. */
  close(graceMs?: number): Promise<void>;
}

const PROTOCOL_3 = 196608;
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
/** sockaddr_un.sun_path holds 108 bytes with the terminating NUL on Linux (104 on macOS). */
const MAX_SOCKET_PATH = 103;
const MAX_MESSAGE = 1 << 30;
const COPY_FROM_STDIN = /^\s*copy\b[^;]*\bfrom\s+stdin\b/i;

function message(type: string, body: Buffer): Buffer {
  const out = Buffer.alloc(5 + body.length);
  out.write(type, 0, 'latin1');
  out.writeInt32BE(4 + body.length, 1);
  body.copy(out, 5);
  return out;
}

const cstring = (text: string) => Buffer.from(`${text}\0`, 'utf8');
const simpleQuery = (sql: string) => message('Q', cstring(sql));
const readyForQuery = (status: string) => message('Z', Buffer.from(status, 'latin1'));
const errorResponse = (sqlState: string, text: string) =>
  message('E', Buffer.concat([cstring('SERROR'), cstring('VERROR'), cstring(`C${sqlState}`), cstring(`M${text}`), Buffer.from([0])]));
/** Text format, column count unknown before the statement runs (clients send rows regardless). */
const COPY_IN_RESPONSE = message('G', Buffer.from([0, 0, 0]));

function startupMessage(parameters: Record<string, string>): Buffer {
  const body = Buffer.concat([...Object.entries(parameters).flatMap(([key, value]) => [cstring(key), cstring(value)]), Buffer.from([0])]);
  const out = Buffer.alloc(8 + body.length);
  out.writeInt32BE(8 + body.length, 0);
  out.writeInt32BE(PROTOCOL_3, 4);
  body.copy(out, 8);
  return out;
}

/** The backend messages in `out` as [type, start, end] (end exclusive). */
function* backendMessages(out: Buffer): Generator<[string, number, number]> {
  for (let at = 0; at + 5 <= out.length;) {
    const end = at + 1 + out.readInt32BE(at + 1);
    yield [String.fromCharCode(out[at]!), at, end];
    at = end;
  }
}

/** The transaction status of the last ReadyForQuery in `out` ('I', 'T' or 'E'), if any. */
function lastReadyStatus(out: Buffer): string | undefined {
  let status: string | undefined;
  for (const [type, start] of backendMessages(out)) if (type === 'Z') status = String.fromCharCode(out[start + 5]!);
  return status;
}

function withoutFirst(out: Buffer, wanted: string): Buffer {
  for (const [type, start, end] of backendMessages(out))
    if (type === wanted) return Buffer.concat([out.subarray(0, start), out.subarray(end)]);
  return out;
}

/** The SQL of a Query ('Q': text) or Parse ('P': name, text, ...) message. */
function sqlOf(msg: Buffer): string {
  const body = msg.subarray(5);
  const text = msg[0] === 0x50 ? body.subarray(body.indexOf(0) + 1) : body;
  return text.subarray(0, text.indexOf(0)).toString('utf8');
}

/**
 * @example const server = await serveEmbedded(pglite, '.momentum/.s.PGSQL.5432', turns, console.error); ...; await server.close();
 */
export async function serveEmbedded(
  pglite: PGlite,
  path: string,
  turns: TurnLock,
  onError: (text: string) => void,
): Promise<EmbeddedServer> {
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
    throw new DatabaseError(`the socket path ${path} is longer than ${MAX_SOCKET_PATH} bytes; use a shorter MOMENTUM_HOME`);
  }
  const greeting = Buffer.from(await pglite.execProtocolRaw(new Uint8Array(startupMessage({ user: 'postgres', database: 'postgres' }))));
  const sockets = new Set<Socket>();
  let closing = false;
  let waiting = 0;

  function session(socket: Socket): void {
    let buffer: Buffer = Buffer.alloc(0);
    let started = false;
    let endTurn: (() => void) | undefined;
    let status = 'I';
    let copy: Buffer[] | undefined;
    let skipToSync = false;
    let chain = Promise.resolve();
    const fail = (error: unknown) => {
      onError(`embedded database server: ${errorMessage(error)}`);
      socket.destroy();
    };

    async function takeTurn(): Promise<boolean> {
      if (!endTurn) {
        waiting++;
        try {
          endTurn = await turns.acquire();
        } finally {
          waiting--;
        }
      }
      return !closing && !socket.destroyed;
    }

    function finishTurn(): void {
      const end = endTurn;
      endTurn = undefined;
      end?.();
    }

    async function run(bytes: Buffer, afterCopy = false): Promise<void> {
      if (!(await takeTurn())) return;
      const out = Buffer.from(await pglite.execProtocolRaw(new Uint8Array(bytes)));
      // The client already had our CopyInResponse.
      socket.write(afterCopy ? withoutFirst(out, 'G') : out);
      const ready = lastReadyStatus(out);
      if (!ready) return; // inside an extended-protocol exchange: the turn goes on up to its Sync
      status = ready;
      if (ready === 'I') finishTurn();
    }

    async function handle(msg: Buffer): Promise<void> {
      if (!started) {
        const request = msg.length >= 8 ? msg.readInt32BE(4) : 0;
        if (request === SSL_REQUEST || request === GSSENC_REQUEST) return void socket.write('N');
        if (request === CANCEL_REQUEST) return void socket.end(); // no backend to signal
        // PGlite's one session started when it opened (and aborts on a startup it dislikes, such as an
        // empty user name): every client gets the greeting it gave us. The socket's mode is the authentication.
        started = true;
        return void socket.write(greeting);
      }
      const type = String.fromCharCode(msg[0]!);
      if (copy) {
        copy.push(msg);
        if (type !== 'c' && type !== 'f') return;
        const exchange = Buffer.concat(copy);
        copy = undefined;
        return run(exchange, true);
      }
      if (skipToSync) {
        if (type !== 'S') return;
        skipToSync = false;
        socket.write(readyForQuery(status));
        if (status === 'I') finishTurn();
        return;
      }
      if (type === 'X') return void socket.end();
      if ((type === 'Q' || type === 'P') && COPY_FROM_STDIN.test(sqlOf(msg))) {
        if (!(await takeTurn())) return;
        if (type === 'Q') {
          copy = [msg];
          return void socket.write(COPY_IN_RESPONSE);
        }
        skipToSync = true;
        return void socket.write(errorResponse('0A000', 'COPY FROM STDIN is served as a simple query only by the embedded database'));
      }
      return run(msg);
    }

    async function drain(): Promise<void> {
      for (;;) {
        const header = started ? 5 : 4;
        if (buffer.length < header) return;
        const length = started ? 1 + buffer.readInt32BE(1) : buffer.readInt32BE(0);
        if (length < header - 1 || length > MAX_MESSAGE) throw new Error(`malformed message (length ${length})`);
        if (buffer.length < length) return;
        const msg = buffer.subarray(0, length);
        buffer = buffer.subarray(length);
        await handle(msg);
      }
    }

    /** A client gone in its turn: end what it left open (a pending Sync, a transaction), then pass the turn on. */
    async function finish(): Promise<void> {
      sockets.delete(socket);
      if (!endTurn) return;
      try {
        if (!closing) {
          const synced = lastReadyStatus(Buffer.from(await pglite.execProtocolRaw(new Uint8Array(message('S', Buffer.alloc(0))))));
          if (synced !== 'I') await pglite.execProtocolRaw(new Uint8Array(simpleQuery('rollback')));
        }
      } catch (error) {
        onError(`embedded database server: ending a closed client's turn: ${errorMessage(error)}`);
      } finally {
        finishTurn();
      }
    }

    sockets.add(socket);
    socket.on('data', (chunk: Buffer) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      chain = chain.then(drain).catch(fail);
    });
    socket.on('error', () => undefined); // 'close' follows
    socket.on('close', () => void (chain = chain.then(finish)));
  }

  rmSync(path, { force: true }); // left by an owner that died: the lock is ours now
  const server = createServer(session);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(path, 0o600);
  server.on('error', (error) => onError(`embedded database server: ${errorMessage(error)}`));

  return {
    path,
    get waiting() {
      return waiting;
    },
    async close(graceMs = 30_000) {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(path, { force: true });
      let timer: NodeJS.Timeout | undefined;
      const turn = turns.acquire();
      const end = await Promise.race([turn, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), graceMs)))]);
      clearTimeout(timer);
      closing = true;
      for (const socket of sockets) socket.destroy();
      (end ?? (await turn))();
      await stopped;
    },
  };
}

/**
 * JSON over node:http: reading a body under a byte limit, parsing it, and answering with JSON.
 * Errors meant for the client are HttpErrors: a status, a message, and the fields at fault.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FieldProblem } from '../mpo/mpo-request.js';

/** An answer to send instead of a result: `{ error, details? }` with `status` and extra headers. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly status: number;
  readonly details: readonly FieldProblem[] | undefined;
  readonly headers: Readonly<Record<string, string>>;
  constructor(status: number, message: string, options: { details?: readonly FieldProblem[]; headers?: Record<string, string> } = {}) {
    super(message);
    this.status = status;
    this.details = options.details;
    this.headers = options.headers ?? {};
  }
}

/** The body of an HttpError as sent: `{ "error": ..., "details": [{ "field", "message" }] }`. */
export function errorBody(error: HttpError): { error: string; details?: readonly FieldProblem[] } {
  return error.details ? { error: error.message, details: error.details } : { error: error.message };
}

/** @example sendJson(res, 200, { status: 'ok' }) */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

/** `application/json`, `application/problem+json` and the like, any parameters (charset); a missing header counts as JSON. */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return true;
  const type = header.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || /^application\/[\w.-]+\+json$/.test(type);
}

function tooLarge(limit: number, size: string): HttpError {
  return new HttpError(413, `request body too large: ${size}; the limit is ${limit} bytes`, {
    details: [{ field: 'body', message: `at most ${limit} bytes` }],
  });
}

/**
 * Reads the body, refusing (413) as soon as Content-Length or the bytes received pass `limit`:
 * the rest is never buffered.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return Promise.reject(tooLarge(limit, `Content-Length ${declared}`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else {
        done();
        req.pause();
        reject(tooLarge(limit, `more than ${limit} bytes`));
      }
    };
    const onEnd = () => {
      done();
      resolve(Buffer.concat(chunks));
    };
    const onError = (error: Error) => {
      done();
      reject(
        new HttpError(400, `the request body could not be read: ${error.message}`, {
          details: [{ field: 'body', message: error.message }],
        }),
      );
    };
    const onClose = () => onError(new Error('the connection closed before the body was complete'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** Parses UTF-8 JSON (a leading byte-order mark is allowed); invalid JSON is a 400 naming `body`. */
export function parseJson(body: Buffer): unknown {
  const text = body.toString('utf8').replace(/^\uFEFF/, '');
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = text.trim() === '' ? 'the body is empty; send the request as JSON' : `invalid JSON: ${(error as Error).message}`;
    throw new HttpError(400, 'the request body is not valid JSON', { details: [{ field: 'body', message: reason }] });
  }
}

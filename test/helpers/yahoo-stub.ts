/**
 * A local HTTP server standing in for Yahoo, and the fetch handed to the Yahoo adapters: it rewrites
 * https://*.yahoo.com to the server and refuses any other address (no request leaves the machine).
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach } from 'vitest';

export interface LocalYahoo {
  readonly fetch: typeof fetch;
  close(): Promise<void>;
}

export async function serveYahooLocally(handle: (request: IncomingMessage, response: ServerResponse) => void): Promise<LocalYahoo> {
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const realFetch = globalThis.fetch;
  return {
    fetch: async (input, init) => {
      const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      if (url.protocol !== 'https:' || !/(^|\.)yahoo\.com$/.test(url.hostname)) throw new Error(`test refused a request to ${url.href}`);
      return realFetch(`http://127.0.0.1:${port}${url.pathname}${url.search}`, init);
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface StubReply {
  readonly status: number;
  readonly body: string;
  readonly headers?: Record<string, string>;
}

export interface ScriptedYahoo extends LocalYahoo {
  /** Every request, in order: its decoded path and query. */
  readonly requests: { path: string; query: URLSearchParams }[];
  /** Replies for the next requests to `path`, before the route's. */
  script(path: string, ...replies: StubReply[]): void;
  /** Forgets the requests and the scripted replies left. */
  reset(): void;
}

/**
 * A Yahoo stand-in answering the cookie page and crumb as yahoo-finance2's getCrumb expects, each
 * other path with its scripted replies first, then with `route`'s.
 */
export async function serveScriptedYahoo(route: (path: string, query: URLSearchParams) => StubReply): Promise<ScriptedYahoo> {
  const requests: { path: string; query: URLSearchParams }[] = [];
  const scripts = new Map<string, StubReply[]>();
  const session = (path: string): StubReply | undefined => {
    if (path.startsWith('/quote/'))
      return {
        status: 200,
        body: '<html></html>',
        headers: { 'content-type': 'text/html', 'set-cookie': 'A3=d=stub; Domain=.yahoo.com; Path=/' },
      };
    if (path === '/v1/test/getcrumb') return { status: 200, body: 'stubCrumb', headers: { 'content-type': 'text/plain' } };
    return undefined;
  };
  const local = await serveYahooLocally((request, response) => {
    const url = new URL(request.url ?? '/', 'http://stub');
    const path = decodeURIComponent(url.pathname);
    requests.push({ path, query: url.searchParams });
    const reply = scripts.get(path)?.shift() ?? session(path) ?? route(path, url.searchParams);
    response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    response.end(reply.body);
  });
  return {
    ...local,
    requests,
    script: (path, ...replies) => void scripts.set(path, [...(scripts.get(path) ?? []), ...replies]),
    reset: () => {
      requests.length = 0;
      scripts.clear();
    },
  };
}

/** A recorded-format answer of test/fixtures/yahoo. */
export const yahooFixture = (name: string): string => readFileSync(new URL(`../fixtures/yahoo/${name}`, import.meta.url), 'utf8');

/**
 * Yahoo's quoteSummary answer for `symbol`: the recorded fixture when given, else "No fundamentals
 * data found" (404) for a symbol Yahoo knows without the modules asked for, else "Quote not found".
 */
export function quoteSummaryReply(symbol: string, fixture: string | undefined, knownWithoutModules: boolean): StubReply {
  if (fixture) return { status: 200, body: yahooFixture(fixture) };
  if (knownWithoutModules) return { status: 404, body: yahooFixture('quoteSummary-earnings-none.json') };
  return { status: 404, body: yahooFixture('quoteSummary-not-found.json').replace('NOPE', symbol) };
}

export interface ScriptedYahooSuite {
  /** The stub (started before the file's tests). */
  readonly stub: () => ScriptedYahoo;
  /** The backoff delays asked for since the last test began. */
  readonly delays: number[];
  /** Adapter options: the stub's fetch, and a sleep that records its delay instead of waiting (random 1: full delays). */
  readonly adapterOptions: () => { fetch: typeof fetch; sleep: (ms: number) => Promise<void>; random: () => number };
}

/** Call at the top of a test file: a scripted Yahoo started before its tests, reset before each, closed after. */
export function useScriptedYahoo(route: (path: string, query: URLSearchParams) => StubReply): ScriptedYahooSuite {
  let stub: ScriptedYahoo | undefined;
  const delays: number[] = [];
  const started = (): ScriptedYahoo => {
    if (!stub) throw new Error('the Yahoo stub starts in beforeAll');
    return stub;
  };
  beforeAll(async () => {
    stub = await serveScriptedYahoo(route);
  });
  afterAll(() => stub?.close());
  beforeEach(() => {
    stub?.reset();
    delays.length = 0;
  });
  return {
    stub: started,
    delays,
    adapterOptions: () => ({ fetch: started().fetch, sleep: async (ms) => void delays.push(ms), random: () => 1 }),
  };
}

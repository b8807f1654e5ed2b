/**
 * A local HTTP server standing in for Yahoo, and the fetch handed to the Yahoo adapters: it rewrites
 * https://*.yahoo.com to the server and refuses any other address (no request leaves the machine).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

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

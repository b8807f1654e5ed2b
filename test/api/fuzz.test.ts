/**
 * Malformed bodies posted to a real server: whatever arrives, the answer is 200 or 4xx (never
 * 5xx), its body is JSON, and the server still answers /health afterwards.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { MPO_EXAMPLE } from '../helpers/mpo-request.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = readonly string[];

/** Every path to a value of the example (objects only: the request has no arrays). */
function pathsOf(value: Json, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([key, child]) => [[...prefix, key], ...pathsOf(child, [...prefix, key])]);
}
const PATHS = pathsOf(MPO_EXAMPLE as Json);

function nest(depth: number, inner: Json, asArray: boolean): Json {
  let value = inner;
  for (let i = 0; i < depth; i++) value = asArray ? [value] : { a: value };
  return value;
}

const key = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 4 }),
  fc.constantFrom(
    '__proto__',
    'constructor',
    'toString',
    'CASH',
    'cash',
    ' CASH',
    'CASH\u0000',
    '1',
    '01',
    '1.0',
    '-1',
    '0',
    '',
    'GOOG',
    'trade_cost',
  ),
);
const nanLike = fc.constantFrom(
  'NaN',
  'nan',
  'Infinity',
  '-Infinity',
  '1e999',
  '',
  ' ',
  '0x10',
  '1,5',
  'null',
  'undefined',
  '١',
  '½',
  '0.1',
);
const huge = fc.constantFrom(1e308, -1e308, Number.MAX_VALUE, -Number.MAX_SAFE_INTEGER, 5e-324, 1e20, -0, 0, 1, -1);
const wrongValue: fc.Arbitrary<Json> = fc.oneof(
  nanLike,
  huge,
  fc.constant(null),
  fc.boolean(),
  fc.constant<Json>({}),
  fc.constant<Json>([]),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
  fc.tuple(fc.integer({ min: 1, max: 500 }), fc.boolean()).map(([depth, asArray]) => nest(depth, 0.1, asArray)),
  fc.dictionary(key, fc.oneof(huge, nanLike, fc.constant({})), { maxKeys: 5 }),
);

type Mutation =
  | { kind: 'drop'; path: Path }
  | { kind: 'rename'; path: Path; to: string }
  | { kind: 'replace'; path: Path; value: Json }
  | { kind: 'add'; path: Path; key: string; value: Json };

const path = fc.constantFrom(...PATHS);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  path.map((p) => ({ kind: 'drop' as const, path: p })),
  fc.record({ kind: fc.constant('rename' as const), path, to: key }),
  fc.record({ kind: fc.constant('replace' as const), path, value: wrongValue }),
  fc.record({ kind: fc.constant('add' as const), path: fc.oneof(fc.constant([] as Path), path), key, value: wrongValue }),
);

/** Applies mutations to a deep copy, with own properties even for `__proto__` (as JSON.parse would make them). */
function mutate(mutations: readonly Mutation[]): Json {
  const root = structuredClone(MPO_EXAMPLE) as Json;
  const define = (target: Record<string, Json>, name: string, value: Json) =>
    Object.defineProperty(target, name, { value: structuredClone(value), enumerable: true, writable: true, configurable: true });
  for (const m of mutations) {
    let parent: Json = root;
    for (const step of m.path.slice(0, m.kind === 'add' ? undefined : -1)) {
      parent = parent !== null && typeof parent === 'object' && !Array.isArray(parent) ? (parent[step] ?? null) : null;
    }
    if (parent === null || typeof parent !== 'object' || Array.isArray(parent)) continue;
    const last = m.path.at(-1)!;
    if (m.kind === 'drop') delete parent[last];
    else if (m.kind === 'rename' && Object.hasOwn(parent, last)) {
      const value = parent[last]!;
      delete parent[last];
      define(parent, m.to, value);
    } else if (m.kind === 'replace' && Object.hasOwn(parent, last)) define(parent, last, m.value);
    else if (m.kind === 'add') define(parent, m.key, m.value);
  }
  return root;
}

/** Bodies as text: mutated requests, random JSON, JSON text with odd number literals, and text that is not JSON. */
const body: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 4 }).map((ms) => JSON.stringify(mutate(ms))) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom('0.05', '0.1', '1', '0'),
        fc.constantFrom('1e999', '-1e999', '1' + '0'.repeat(400), '-0', '1E-400', '0.1e+309'),
      )
      .map(([from, to]) => JSON.stringify(MPO_EXAMPLE).replace(new RegExp(`(?<=:)${from.replace('.', '\\.')}(?=[,}])`), to)),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constantFrom('[]', '{}', 'null', '""', '0', '{"initial_weights":{}}', '{"parameters":[]}', '\uFEFF{}') },
);

describe('fuzzed requests', () => {
  let server: RunningServer;
  const log: string[] = [];
  beforeAll(async () => {
    server = await startServer({ port: 0, env: {}, log: (line) => log.push(line) });
  });
  afterAll(() => server.close());

  async function expectJsonAnswer(response: Response, method = 'POST'): Promise<void> {
    expect(response.status === 200 || (response.status >= 400 && response.status < 500), `status ${response.status}`).toBe(true);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const text = await response.text();
    if (method === 'HEAD') return; // headers only
    const parsed = JSON.parse(text) as { status?: unknown; output?: unknown; error?: unknown };
    if (response.status === 200 && 'output' in parsed) expect([0, 1]).toContain(parsed.status);
    else if (response.status !== 200) expect(typeof parsed.error).toBe('string');
  }

  it('POST /api/run: every answer is 200 or 4xx with a JSON body', async () => {
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const response = await fetch(`${server.url}/api/run`, {
          method: 'POST',
          body: text,
          headers: { 'Content-Type': 'application/json' },
        });
        await expectJsonAnswer(response);
      }),
      { numRuns: 300 },
    );
  });

  it('deep nesting and big bodies under the limit', async () => {
    for (const text of ['['.repeat(200_000) + ']'.repeat(200_000), '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000)]) {
      const response = await fetch(`${server.url}/api/run`, {
        method: 'POST',
        body: text,
        headers: { 'Content-Type': 'application/json' },
      });
      await expectJsonAnswer(response);
    }
    const wide = { ...MPO_EXAMPLE, initial_weights: Object.fromEntries(Array.from({ length: 30_000 }, (_, i) => [`K${i}`, 0])) };
    await expectJsonAnswer(
      await fetch(`${server.url}/api/run`, { method: 'POST', body: JSON.stringify(wide), headers: { 'Content-Type': 'application/json' } }),
    );
  });

  it('any method on any path: 200 or 4xx with a JSON body', async () => {
    const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD');
    const target = fc.oneof(
      fc.webPath(),
      fc.constantFrom('/api/run', '/api/run/', '/health', '/health/', '//api/run', '/api//run', '/%00'),
    );
    await fc.assert(
      fc.asyncProperty(method, target, async (m, p) => {
        const response = await fetch(`${server.url}${p.startsWith('/') ? p : `/${p}`}`, {
          method: m,
          ...(m === 'POST' ? { body: '{}' } : {}),
        });
        await expectJsonAnswer(response, m);
      }),
      { numRuns: 100 },
    );
  });

  it('still answers /health afterwards, with nothing unexpected logged', async () => {
    const response = await fetch(`${server.url}/health`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { status: string }).status).toBe('ok');
    expect(log.filter((line) => !/^\S+Z [A-Z]+ \S* \d{3} \d+ ms$/.test(line))).toEqual([]);
  });
});

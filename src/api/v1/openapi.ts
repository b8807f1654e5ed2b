/**
 * The OpenAPI 3.1 document of the HTTP API v1, generated from the zod schemas the API validates
 * requests with (the CLI's spec schemas) and describes its answers with (response-schemas.ts).
 * Schemas are inlined (no $ref), each a JSON Schema 2020-12 as OpenAPI 3.1 takes it.
 */
import { z } from 'zod';
import { packageVersion } from '../../util/package-root.js';
import { JOB_DEFINITIONS } from './job-kinds.js';
import type { JobKind } from './api-job-store.js';
import { DEFAULT_LIMIT, MAX_LIMIT } from './api-lists.js';
import {
  acceptedSchema,
  backtestListItemSchema,
  backtestResultSchema,
  errorSchema,
  ingestResultSchema,
  jobSchema,
  listSchema,
  portfolioListItemSchema,
  portfolioResultSchema,
  simulationResultSchema,
  sweepListItemSchema,
  sweepResultSchema,
} from './response-schemas.js';

type JsonSchema = Record<string, unknown>;

/** A zod schema as JSON Schema: `input` for request bodies (defaults make fields optional), `output` for answers. */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' });
  return rest;
}

const json = (schema: JsonSchema) => ({ content: { 'application/json': { schema } } });
const error = (description: string) => ({ description, ...json(jsonSchemaOf(errorSchema, 'output')) });
const refusals = {
  '401': error('an API token is required (the server listens beyond loopback) or the one given is wrong'),
  '404': error('no such path or id'),
  '405': error('wrong method'),
  '503': error('the database cannot be reached'),
};

/** The collection of each kind and the schema of its stored result. */
const RESULTS: Readonly<Record<JobKind, { collection: string; idName: string; summary: string; schema: z.ZodType }>> = {
  backtest: { collection: 'backtests', idName: 'id', summary: 'a stored backtest: spec, metrics, warnings', schema: backtestResultSchema },
  simulation: {
    collection: 'simulations',
    idName: 'id',
    summary: 'an out-of-sample simulation compared with its in-sample backtest',
    schema: simulationResultSchema,
  },
  sweep: { collection: 'sweeps', idName: 'id', summary: "a sweep and its combinations' figures", schema: sweepResultSchema },
  portfolio: {
    collection: 'portfolios',
    idName: 'name',
    summary: 'a model portfolio and its latest rebalance',
    schema: portfolioResultSchema,
  },
  ingest: { collection: 'ingest', idName: 'id', summary: 'an ingest run: status and totals', schema: ingestResultSchema },
};

/** The lists (GET /api/v1/{collection}) and the schema of their items. */
const LIST_ITEMS: Readonly<Record<string, { summary: string; item: z.ZodType }>> = {
  jobs: { summary: 'the jobs', item: jobSchema },
  backtests: {
    summary: 'the stored backtests (sweep combinations and simulations included) with their headline figures',
    item: backtestListItemSchema,
  },
  sweeps: { summary: 'the sweeps', item: sweepListItemSchema },
  portfolios: { summary: 'the model portfolios', item: portfolioListItemSchema },
};

const PAGE_PARAMETERS = [
  {
    name: 'limit',
    in: 'query',
    required: false,
    description: 'items in the page',
    schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT },
  },
  {
    name: 'offset',
    in: 'query',
    required: false,
    description: 'items skipped (the newest first)',
    schema: { type: 'integer', minimum: 0, default: 0 },
  },
];

let cached: JsonSchema | undefined;

/** @example sendJson(res, 200, openApiDocument()) */
export function openApiDocument(): JsonSchema {
  return (cached ??= build());
}

function build(): JsonSchema {
  const paths: Record<string, unknown> = {};
  for (const [kind, { collection, idName, summary, schema }] of Object.entries(RESULTS) as [JobKind, (typeof RESULTS)[JobKind]][]) {
    paths[`/api/v1/${collection}`] = {
      post: {
        operationId: `submit-${kind}`,
        summary: `queue a ${kind} job (the same specification as the CLI)`,
        requestBody: { required: true, ...json(jsonSchemaOf(JOB_DEFINITIONS[kind].schema, 'input')) },
        responses: {
          '202': {
            description: 'queued: follow the job at Location',
            headers: { Location: { schema: { type: 'string' }, description: '/api/v1/jobs/{id}' } },
            ...json(jsonSchemaOf(acceptedSchema, 'output')),
          },
          '400': error('invalid request: each field at fault'),
          '413': error('body too large'),
          '415': error('the body is not JSON'),
          '429': error('too many jobs wait to run already: try again after Retry-After seconds'),
          ...refusals,
        },
      },
    };
    paths[`/api/v1/${collection}/{${idName}}`] = {
      get: {
        operationId: `get-${kind}`,
        summary,
        parameters: [{ name: idName, in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: summary, ...json(jsonSchemaOf(schema, 'output')) }, ...refusals },
      },
    };
  }
  for (const [collection, { summary, item }] of Object.entries(LIST_ITEMS))
    paths[`/api/v1/${collection}`] = {
      ...(paths[`/api/v1/${collection}`] as object | undefined),
      get: {
        operationId: `list-${collection}`,
        summary: `${summary}, newest first, a page at a time`,
        parameters: PAGE_PARAMETERS,
        responses: {
          '200': { description: `a page of ${collection}`, ...json(jsonSchemaOf(listSchema(item), 'output')) },
          '400': error('a query parameter that is not a number in range, or not a parameter of the list'),
          ...refusals,
        },
      },
    };
  paths['/api/v1/jobs/{id}'] = {
    get: {
      operationId: 'get-job',
      summary: "a job's status, progress and the link of its result",
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
      responses: { '200': { description: 'the job', ...json(jsonSchemaOf(jobSchema, 'output')) }, ...refusals },
    },
  };
  paths['/api/v1/openapi.json'] = {
    get: {
      operationId: 'get-openapi',
      summary: 'this document',
      responses: { '200': { description: 'the OpenAPI 3.1 document', ...json({ type: 'object' }) }, ...refusals },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'momentum HTTP API v1',
      version: packageVersion(),
      description:
        'Asynchronous jobs: POST a specification, follow /api/v1/jobs/{id} until it succeeded or failed, then read its result. ' +
        'On loopback no token is needed; bound elsewhere every request carries Authorization: Bearer <token>.',
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{}, { bearer: [] }],
    paths,
  };
}

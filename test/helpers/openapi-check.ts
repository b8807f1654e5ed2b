/**
 * Checks real answers of the HTTP API v1 against its own OpenAPI document (JSON Schema 2020-12,
 * ajv), and keeps count of which operations were seen answering, so a test can say that every
 * documented route was exercised.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { expect } from 'vitest';

type Operation = { responses: Record<string, { content?: Record<string, { schema: object }> }> };
type Document = { paths: Record<string, Record<string, Operation>> };

// ajv-formats is CommonJS: its default export is the function, or the module object holding it.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => void;

export interface OpenApiChecker {
  /** Expects `body` with `status` to be what the document says `method template` answers. */
  check(method: string, template: string, status: number, body: unknown): void;
  /** The operations (`METHOD template`) documented with a 2xx answer that no check has seen succeed. */
  unseen(): string[];
}

export function openApiChecker(document: unknown): OpenApiChecker {
  const doc = document as Document;
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  const seen = new Set<string>();
  return {
    check(method, template, status, body) {
      const operation = doc.paths[template]?.[method.toLowerCase()];
      expect(operation, `${method} ${template} is documented`).toBeDefined();
      const response = operation!.responses[String(status)];
      expect(response, `${method} ${template} documents status ${status}`).toBeDefined();
      const schema = response!.content?.['application/json']?.schema;
      expect(schema, `${method} ${template} ${status} has a JSON schema`).toBeDefined();
      const validate = ajv.compile(schema!);
      const valid = validate(body);
      expect(valid ? [] : validate.errors, `${method} ${template} ${status} answers as documented`).toEqual([]);
      if (status < 300) seen.add(`${method.toUpperCase()} ${template}`);
    },
    unseen() {
      const all = Object.entries(doc.paths).flatMap(([template, operations]) =>
        Object.keys(operations).map((method) => `${method.toUpperCase()} ${template}`),
      );
      return all.filter((operation) => !seen.has(operation));
    },
  };
}

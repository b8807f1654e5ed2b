/**
 * docker-compose.yml without Docker: valid against the Compose Specification's JSON schema (vendored
 * in test/fixtures/compose-spec, with its source), and what the schema cannot say: workers scale,
 * every long-running service has a health check, waits are on conditions, no secret is written in
 * the file, ports stay on loopback, TimescaleDB is the PostgreSQL 16 image of the project's line,
 * and the app's settings from .env.example pass the app's own validation.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Ajv, type AnySchema, type AnySchemaObject } from 'ajv';
import { describe, expect, it } from 'vitest';
import { loadConfig, readEnvironment } from '../../src/config.js';
import {
  ROOT,
  appServices,
  argv,
  composeText,
  durationMs,
  envFile,
  isOneShot,
  parseCompose,
  resolvedCompose,
  type ComposeFile,
} from './deploy-files.js';

function composeValidator() {
  const schema = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/compose-spec/compose-spec.json'), 'utf8')) as AnySchema;
  // The schema is draft-07 and names its meta-schema by the https URL; ajv ships it under http.
  const draft7 = createRequire(import.meta.url)('ajv/dist/refs/json-schema-draft-07.json') as AnySchemaObject;
  const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, strictTypes: false });
  ajv.addMetaSchema(draft7, 'https://json-schema.org/draft-07/schema');
  return ajv.compile(schema);
}

const validate = composeValidator();
const errorsOf = (file: unknown): string[] =>
  validate(file) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);

/** A deep copy to break. */
const copy = (file: ComposeFile): Record<string, any> => structuredClone(file) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SECRET_NAME = /PASSWORD|TOKEN|SECRET/;
const REQUIRED_VARIABLE = /^\$\{[A-Z0-9_]+:\?[^}]+\}$/;

describe('docker-compose.yml against the compose-spec schema', () => {
  it('is valid as written and as Compose runs it with the variables of .env.example', () => {
    expect(errorsOf(parseCompose())).toEqual([]);
    expect(errorsOf(resolvedCompose())).toEqual([]);
  });

  it('the schema rejects a broken copy: an unknown key, a wrong type, a bad depends_on condition', () => {
    const unknownKey = copy(resolvedCompose());
    unknownKey.services.worker.container_nam = 'momentum-worker';
    expect(errorsOf(unknownKey).join('\n')).toContain('container_nam');

    const wrongType = copy(resolvedCompose());
    wrongType.services.db.ports = '127.0.0.1:5432:5432';
    expect(errorsOf(wrongType).join('\n')).toContain('/services/db/ports');

    const badCondition = copy(resolvedCompose());
    badCondition.services.scheduler.depends_on.migrate.condition = 'service_finished';
    expect(errorsOf(badCondition).join('\n')).toContain('/services/scheduler/depends_on');
  });
});

describe('docker-compose.yml: what the schema cannot say', () => {
  const compose = resolvedCompose();
  const services = Object.entries(compose.services);

  it('the worker can be scaled (--scale worker=4): no container name, no host port, no fixed replica count', () => {
    const worker = compose.services.worker!;
    expect(worker).toBeDefined();
    expect(worker).not.toHaveProperty('container_name');
    expect(worker).not.toHaveProperty('ports');
    expect(worker).not.toHaveProperty('deploy');
    expect(argv(worker.command).slice(2, 3)).toEqual(['worker']);
  });

  it('every long-running service has a health check; the one-shot ones are only waited for to complete', () => {
    const longRunning = services.filter(([, s]) => !isOneShot(s));
    expect(longRunning.map(([name]) => name).sort()).toEqual(['db', 'jupyter', 'mailpit', 'scheduler', 'worker']);
    for (const [name, service] of longRunning) {
      expect(service.healthcheck?.disable, name).not.toBe(true);
      expect(argv(service.healthcheck?.test).length, `${name} has a health check`).toBeGreaterThan(0);
      expect(service.restart, name).toBe('unless-stopped');
    }
    expect(services.filter(([, s]) => isOneShot(s)).map(([name]) => name)).toEqual(['migrate']);
  });

  it('every dependency has a condition that fits it: healthy for long-running services, completed for one-shot ones', () => {
    let waits = 0;
    for (const [name, service] of services) {
      for (const [target, dependency] of Object.entries(service.depends_on ?? {})) {
        const other = compose.services[target];
        expect(other, `${name} depends on ${target}`).toBeDefined();
        expect(dependency.condition, `${name} -> ${target}`).toBe(isOneShot(other!) ? 'service_completed_successfully' : 'service_healthy');
        waits++;
      }
    }
    expect(waits).toBeGreaterThanOrEqual(6);
    // Nothing that needs the schema starts before the migrations ran.
    for (const [name, service] of appServices(compose).filter(([, s]) => !isOneShot(s))) {
      expect(service.depends_on?.migrate?.condition, name).toBe('service_completed_successfully');
    }
    expect(compose.services.migrate!.depends_on?.db?.condition).toBe('service_healthy');
  });

  it('no secret is written in the file: secrets are required variables from .env, without defaults', () => {
    const raw = parseCompose();
    const secretVariables = new Set<string>();
    for (const [name, service] of Object.entries(raw.services)) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (SECRET_NAME.test(key)) {
          expect(value, `${name}.${key}`).toMatch(REQUIRED_VARIABLE);
          secretVariables.add(/^\$\{([A-Z0-9_]+)/.exec(value!)![1]!);
        }
        // A password inside a URL (user:password@host) comes from a required variable too.
        const password = /^[a-z]+:\/\/[^:/@]+:([^@]+)@/.exec(value ?? '')?.[1];
        if (password !== undefined) expect(password, `${name}.${key}`).toMatch(REQUIRED_VARIABLE);
      }
    }
    expect([...secretVariables].sort()).toEqual(['JUPYTER_TOKEN', 'POSTGRES_PASSWORD']);
    // Anywhere in the text: no default for a secret variable (${POSTGRES_PASSWORD:-...}).
    expect(composeText()).not.toMatch(/\$\{[A-Z0-9_]*(PASSWORD|TOKEN|SECRET)[A-Z0-9_]*:?-/);
    // Compose stops with the variable's name when one is missing from .env.
    for (const name of secretVariables) {
      const withoutIt = { ...envFile(), [name]: '' };
      expect(() => resolvedCompose(withoutIt), name).toThrow(`required variable ${name}`);
    }
    // .env.example holds placeholders only, and .env (the real values) is never committed or sent to a build.
    for (const [key, value] of Object.entries(envFile())) {
      if (SECRET_NAME.test(key) && value !== '') expect(value, key).toMatch(/^change-me/);
    }
    expect(execFileSync('git', ['check-ignore', '.env'], { cwd: ROOT }).toString().trim()).toBe('.env');
    expect(() => execFileSync('git', ['check-ignore', '.env.example'], { cwd: ROOT })).toThrow();
    expect(readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n')).toContain('.env');
  });

  it('host ports are bound to 127.0.0.1 only', () => {
    const published = services.flatMap(([name, s]) => (s.ports ?? []).map((p) => [name, p] as const));
    expect(published.map(([name]) => name).sort()).toEqual(['db', 'jupyter', 'mailpit']);
    for (const [name, port] of published) expect(port, name).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
  });

  it('the database is TimescaleDB on PostgreSQL 16, pinned to the release line the project builds (not the Apache-only -oss image)', () => {
    const version = /^VERSION=(\S+)$/m.exec(readFileSync(join(ROOT, 'scripts/build-timescaledb.sh'), 'utf8'))![1];
    expect(compose.services.db!.image).toBe(`timescale/timescaledb:${version}-pg16`);
    expect(compose.services.db!.environment?.TIMESCALEDB_TELEMETRY).toBe('off');
  });

  it("the app's services reach the db and mailpit services, and share MOMENTUM_HOME on a volume", () => {
    const apps = appServices(compose);
    expect(apps.map(([name]) => name).sort()).toEqual(['migrate', 'scheduler', 'worker']);
    for (const [name, service] of apps) {
      const env = service.environment!;
      expect(new URL(env.DATABASE_URL!).host, name).toBe('db:5432');
      expect(env.SMTP_URL, name).toBe('smtp://mailpit:1025');
      expect(service.volumes, name).toContain(`momentum-home:${env.MOMENTUM_HOME}`);
      expect(service.env_file, name).toBe('.env');
    }
    expect(Object.keys(compose.volumes ?? {})).toContain('momentum-home');
    for (const name of ['scheduler', 'worker']) {
      expect(compose.services[name]!.depends_on?.mailpit?.condition, name).toBe('service_healthy');
    }
  });

  it("the app's environment, from .env.example and the file, passes the app's own validation", () => {
    for (const [name, service] of appServices(compose)) {
      const env = readEnvironment({ ...envFile(), ...service.environment } as NodeJS.ProcessEnv, '/app');
      expect(env.databaseUrl, name).toMatch(/^postgres:\/\/postgres:change-me[^@]+@db:5432\/momentum$/);
      expect(env.home, name).toBe('/var/lib/momentum');
      expect(env.linkSecret?.length, name).toBeGreaterThanOrEqual(32);
    }
  });

  it("the scheduler's stop grace period is above the configuration's shutdownGrace, so running jobs can finish", () => {
    const shutdownGraceMs = loadConfig(join(ROOT, 'momentum.config.json')).schedule!.shutdownGraceMs;
    expect(durationMs(compose.services.scheduler!.stop_grace_period!)).toBeGreaterThan(shutdownGraceMs);
    expect(durationMs('1m30s')).toBe(90_000);
  });

  it('JupyterLab: the token from .env, the notebooks mounted where the image serves them, the project kernelspec', () => {
    const jupyter = compose.services.jupyter!;
    expect(parseCompose().services.jupyter!.environment?.JUPYTER_TOKEN).toMatch(REQUIRED_VARIABLE);
    expect(jupyter.build?.target).toBe('jupyter');
    expect(jupyter.volumes).toContain('./notebooks:/app/notebooks');
    expect(existsSync(join(ROOT, 'notebooks'))).toBe(true);
    // Unset unless .env says otherwise: the notebooks then work in scratch stores, not in the service's database.
    expect(jupyter.environment?.DATABASE_URL).toBe('');
  });
});

/**
 * The commands docker-compose.yml runs, outside Docker, in the local equivalent of their containers:
 * - the image: the production stage's files, assembled by following the Dockerfile (its COPY
 *   instructions, from this checkout and its build, which is what the build stage's /app holds)
 *   and its `npm ci --omit=dev ...` run as written (from npm's local cache), so a runtime file or
 *   production dependency the image lacks fails here;
 * - the environment: the service's own from the compose file and .env.example, with the compose
 *   network's names standing for this machine's (db: the test database, a PGlite home or a
 *   PostgreSQL database as the suite runs; mailpit: an SMTP server on loopback), its named volume
 *   for a temporary MOMENTUM_HOME, and its mounted configuration for one whose health port is free.
 * Each command and health check is read from the parsed compose file, never copied here.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnvironment, type CliEnvironment } from '../helpers/cli-env.js';
import { finished, type CliResult } from '../helpers/cli.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/mail-server.js';
import { spawnedProcesses } from '../helpers/processes.js';
import { engineName } from '../helpers/test-database.js';
import { EVENTUALLY, waitFor } from '../jobs/service-helpers.js';
import {
  ROOT,
  appServices,
  argv,
  copySource,
  dockerStages,
  envFile,
  isOneShot,
  ofKind,
  resolvedCompose,
  stage,
  words,
  type ComposeService,
} from './deploy-files.js';

const compose = resolvedCompose();
const apps = appServices(compose);
const stages = dockerStages();
const production = stage(stages, 'production');
const workdirOf = (name: string) => words(ofKind(stage(stages, name), 'WORKDIR')[0]!)[0]!;

/** The production stage's /app, built in `dir` the way the Dockerfile builds it. */
function assembleImage(dir: string): void {
  const buildWorkdir = workdirOf('build');
  const workdir = workdirOf('production');
  const inImage = (path: string) => join(dir, posix.relative(workdir, posix.resolve(workdir, path)));
  for (const instruction of production.instructions) {
    if (instruction.getKeyword() === 'COPY') {
      const from = copySource(instruction);
      const args = words(instruction);
      const destination = args.at(-1)!;
      for (const source of args.slice(0, -1)) {
        // The build stage's tree is this checkout, built (test/setup/built-cli.ts keeps dist/ fresh).
        const local = from === 'build' ? join(ROOT, posix.relative(buildWorkdir, source)) : join(ROOT, source);
        const target = destination.endsWith('/') ? join(inImage(destination), basename(source)) : inImage(destination);
        cpSync(local, target, { recursive: true });
      }
    } else if (instruction.getKeyword() === 'RUN' && instruction.getArgumentsContent()!.startsWith('npm ')) {
      // As written (Docker runs it with sh -c); the other RUN makes MOMENTUM_HOME, a temporary folder here.
      execFileSync('sh', ['-c', instruction.getArgumentsContent()!], {
        cwd: dir,
        // Not the settings of the `npm test` that runs this (npm_config_*): the install as a build runs it.
        env: { ...withoutNpmSettings(process.env), npm_config_prefer_offline: 'true' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
    }
  }
}

const withoutNpmSettings = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(env).filter(([name]) => !name.toLowerCase().startsWith('npm_')));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The mounted configuration: the shipped one, its health server on a free port, with no slot due soon and no catch-up (no job runs). */
function writeConfig(path: string, healthPort: number): void {
  const shipped = JSON.parse(readFileSync(join(ROOT, 'momentum.config.json'), 'utf8')) as { schedule: Record<string, unknown> };
  const schedule = { ...shipped.schedule, healthPort, catchUpWindow: '0s', entries: [{ job: 'gates', cron: '0 0 1 1 *' }] };
  writeFileSync(path, JSON.stringify({ ...shipped, schedule }));
}

describe(`the commands of docker-compose.yml's services, outside Docker (${engineName})`, () => {
  const processes = spawnedProcesses();
  let image: string;
  let cli: CliEnvironment;
  let smtp: TestSmtpServer;

  beforeAll(async () => {
    image = mkdtempSync(join(tmpdir(), 'momentum-image-'));
    assembleImage(image);
    cli = await cliEnvironment();
    smtp = await startSmtpServer();
  });
  afterAll(async () => {
    await smtp?.close();
    await cli?.dispose();
    if (image) rmSync(image, { recursive: true, force: true });
  });

  /** The service's environment and mounts, with this machine's stand-ins for the network's hosts and the volume. */
  async function container(service: ComposeService): Promise<NodeJS.ProcessEnv> {
    const hosts: Record<string, string> = { db: cli.url ?? '', mailpit: smtp.url };
    const volumes: Record<string, string> = { 'momentum-home': cli.home };
    const env: Record<string, string> = { ...envFile(), ...(service.environment as Record<string, string>) };
    const mounted = new Map<string, string>();
    for (const volume of service.volumes ?? []) {
      const [source, target] = volume.split(':') as [string, string];
      if (volumes[source]) mounted.set(target, volumes[source]);
      else if (source === './momentum.config.json')
        writeConfig(join(image, posix.relative(workdirOf('production'), target)), await freePort());
      else throw new Error(`no local stand-in for the mount ${volume}`);
    }
    for (const [key, value] of Object.entries(env)) {
      const host = URL.canParse(value) ? new URL(value).hostname : '';
      if (host in hosts) env[key] = hosts[host]!;
      else if (mounted.has(value)) env[key] = mounted.get(value)!;
    }
    return { ...process.env, MOMENTUM_CONFIG: '', ...env };
  }

  function start(command: readonly string[] | string | undefined, env: NodeJS.ProcessEnv) {
    const [program, ...args] = argv(command);
    return processes.track(
      spawn(program === 'node' ? process.execPath : program!, args, { cwd: image, env, stdio: ['ignore', 'pipe', 'pipe'] }),
    );
  }
  const run = (command: readonly string[] | string | undefined, env: NodeJS.ProcessEnv): Promise<CliResult> =>
    finished(start(command, env));

  it('the image holds production dependencies only, and the files the commands read', () => {
    const installed = new Set(readdirSync(join(image, 'node_modules')));
    const manifest = JSON.parse(readFileSync(join(image, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
    for (const name of Object.keys(manifest.dependencies!)) expect(installed.has(name.split('/')[0]!), name).toBe(true);
    for (const name of ['vitest', 'typescript', 'eslint', 'tslab', 'playwright-core', 'dockerfile-ast'])
      expect(installed.has(name), name).toBe(false);
    expect(readdirSync(image).sort()).toEqual([
      'dist',
      'momentum.config.json',
      'node_modules',
      'package-lock.json',
      'package.json',
      'reports',
      'sql',
    ]);
  });

  it('the one-shot migrate: applies every migration of sql/ to the database and exits 0', async () => {
    const [name, migrate] = apps.find(([, s]) => isOneShot(s))!;
    expect(name).toBe('migrate');
    const result = await run(migrate.command, await container(migrate));
    expect(result.code, result.stderr).toBe(0);
    const migrations = readdirSync(join(ROOT, 'sql')).filter((f) => f.endsWith('.sql')).length;
    const [, now, before] = /(\d+) applied now, (\d+) already applied/.exec(result.stdout)!.map(Number);
    expect(now! + before!).toBe(migrations);
    // Run again (a restarted stack): nothing left to apply.
    const again = await run(migrate.command, await container(migrate));
    expect([again.code, /(\d+) applied now/.exec(again.stdout)?.[1]]).toEqual([0, '0']);
  });

  it("the scheduler's health check fails while no scheduler runs", async () => {
    const scheduler = compose.services.scheduler!;
    const result = await run(scheduler.healthcheck!.test, await container(scheduler));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('no batch service answers at http://127.0.0.1:');
  });

  const longRunning = apps.filter(([, s]) => !isOneShot(s)).map(([name]) => name);
  it.each(longRunning)('%s: its command becomes healthy by its own health check, and exits 0 on SIGTERM', async (name) => {
    const service = compose.services[name]!;
    const env = await container(service);
    if (name === 'worker' && engineName === 'pglite') {
      // The job queue needs a PostgreSQL server (compose's db); on the embedded engine the worker
      // refuses at once with the reason.
      const refused = await run(service.command, env);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/momentum worker needs a PostgreSQL server/);
      return;
    }
    const child = start(service.command, env);
    const done = finished(child);
    let exited = false;
    void done.then(() => (exited = true));
    await waitFor(async () => exited || (await run(service.healthcheck!.test, env)).code === 0, EVENTUALLY, `${name} to be healthy`);
    if (exited) {
      const early = await done;
      throw new Error(`${name} exited (code ${early.code}) before it was healthy: ${early.stderr}`);
    }
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.signal).toBeNull();
  });
});

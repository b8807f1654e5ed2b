/**
 * The Dockerfile without Docker: its stages (build once; a production stage with production
 * dependencies only, run as a user that is not root; a JupyterLab stage with the project kernel),
 * what the build context leaves out (.dockerignore, read with Docker's own matching rules), and
 * that the paths the images and docker-compose.yml agree on exist. The production stage's install
 * and the commands run from what it copies are tested in service-commands.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, posix } from 'node:path';
import type DockerIgnore from '@balena/dockerignore';
import { describe, expect, it } from 'vitest';
import { ROOT, copySource, dockerStages, ofKind, parseCompose, stage, stageEnv, words, type Stage } from './deploy-files.js';

// CommonJS (module.exports = the factory) whose types declare a default export: NodeNext sees a namespace.
const dockerignore = createRequire(import.meta.url)('@balena/dockerignore') as typeof DockerIgnore.default;

const stages = dockerStages();
const production = stage(stages, 'production');
const runs = (s: Stage): string[] => ofKind(s, 'RUN').map((i) => i.getArgumentsContent() ?? '');
const lastUser = (s: Stage): string | undefined =>
  ofKind(s, 'USER')
    .map((i) => words(i)[0])
    .at(-1);
const NODE_IMAGE = 'node:20-bookworm-slim';

describe('Dockerfile stages', () => {
  it('build -> jupyter, and production last (the default target of `docker build .`), on Node 20', () => {
    expect(stages.map((s) => [s.name, s.from])).toEqual([
      ['build', NODE_IMAGE],
      ['jupyter', 'build'],
      ['production', NODE_IMAGE],
    ]);
    expect(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).engines.node).toMatch(/^>=20\./);
  });

  it('the build stage installs every dependency from the lock file, then builds dist/ once', () => {
    const build = stage(stages, 'build');
    expect(runs(build)).toEqual([expect.stringMatching(/^npm ci --ignore-scripts\b/), 'npm run build']);
    expect(runs(build)[0]).not.toContain('--omit');
  });

  it('production: production dependencies only (no install scripts: `prepare` would build), and no sources', () => {
    const installs = runs(production).filter((r) => r.startsWith('npm '));
    expect(installs).toHaveLength(1);
    expect(installs[0]).toMatch(/^npm ci\b.*--omit=dev\b/);
    expect(installs[0]).toMatch(/--ignore-scripts\b/);
    const copied = ofKind(production, 'COPY').map((i) => ({ from: copySource(i), sources: words(i).slice(0, -1) }));
    expect(copied).toEqual([
      { from: 'context', sources: ['package.json', 'package-lock.json'] },
      { from: 'build', sources: ['/app/dist'] },
      { from: 'build', sources: ['/app/sql'] },
      { from: 'build', sources: ['/app/reports'] },
      { from: 'build', sources: ['/app/momentum.config.json'] },
    ]);
    expect(ofKind(production, 'ADD')).toEqual([]);
  });

  it('production runs as an unprivileged user, with MOMENTUM_HOME its own and on a volume', () => {
    const user = lastUser(production);
    expect(user).toBeDefined();
    expect(['root', '0', '0:0']).not.toContain(user);
    const home = stageEnv(production).MOMENTUM_HOME!;
    expect(home).toBe('/var/lib/momentum');
    expect(words(ofKind(production, 'VOLUME')[0]!)).toEqual([home]);
    expect(runs(production)).toContain(`mkdir -p "$MOMENTUM_HOME" && chown ${user}:${user} "$MOMENTUM_HOME" && chmod 700 "$MOMENTUM_HOME"`);
    // The app's services mount their volume there.
    for (const name of ['scheduler', 'worker']) {
      expect(parseCompose().services[name]!.environment?.MOMENTUM_HOME).toBe(home);
    }
    // Only what runs the process is declared after USER: the code itself stays root's, read-only to it.
    const userAt = production.instructions.findIndex((i) => i.getKeyword() === 'USER');
    expect(production.instructions.slice(userAt + 1).map((i) => i.getKeyword())).toEqual(['VOLUME', 'EXPOSE', 'CMD']);
  });

  it('bakes in no secret: no ENV or ARG named like one, in any stage', () => {
    for (const s of stages) {
      const names = [...Object.keys(stageEnv(s)), ...ofKind(s, 'ARG').map((i) => words(i)[0]!.split('=')[0]!)];
      for (const name of names) expect(name, s.name).not.toMatch(/PASSWORD|TOKEN|SECRET|DATABASE_URL|SMTP_URL/);
    }
  });

  it('jupyter: the project kernelspec on JUPYTER_PATH, tslab on PATH, the notebooks folder docker-compose.yml mounts, not root', () => {
    const jupyter = stage(stages, 'jupyter');
    const env = stageEnv(jupyter);
    const workdir = words(ofKind(stage(stages, 'build'), 'WORKDIR')[0]!)[0]!;
    // The image's /app is this checkout after the build stage.
    const local = (path: string) => join(ROOT, posix.relative(workdir, path));
    const kernel = JSON.parse(readFileSync(join(local(env.JUPYTER_PATH!), 'kernels/tslab/kernel.json'), 'utf8')) as { argv: string[] };
    const bin = env.PATH!.split(':').find((dir) => dir.startsWith(workdir))!;
    expect(existsSync(join(local(bin), kernel.argv[0]!))).toBe(true);
    expect(runs(jupyter).join('\n')).toMatch(/pip install --no-cache-dir jupyterlab==\d+\.\d+\.\d+/);
    expect(lastUser(jupyter)).toBe('node');

    const command = words(ofKind(jupyter, 'CMD')[0]!);
    const rootDir = command.find((w) => w.startsWith('--ServerApp.root_dir='))!.split('=')[1]!;
    expect(command).toContain('--ip=0.0.0.0'); // inside the container; the host port is 127.0.0.1's
    expect(parseCompose().services.jupyter!.volumes).toContain(`./notebooks:${rootDir}`);
    // What the notebooks import relative to their folder is in the built tree of the image.
    const imports = new Set<string>();
    for (const notebook of execFileSync('git', ['ls-files', 'notebooks/*.ipynb'], { cwd: ROOT }).toString().trim().split('\n')) {
      for (const [, path] of readFileSync(join(ROOT, notebook), 'utf8').matchAll(/from '(\.\.\/dist\/[^']+)'/g)) imports.add(path!);
    }
    expect(imports.size).toBeGreaterThan(0);
    for (const path of imports) expect(existsSync(local(posix.join(rootDir, path))), path).toBe(true);
  });
});

describe('.dockerignore', () => {
  const ignored = dockerignore({ ignorecase: false }).add(readFileSync(join(ROOT, '.dockerignore'), 'utf8'));

  it('keeps out installed and built files, local state, secrets and git', () => {
    for (const path of [
      'node_modules/kysely/package.json',
      'dist/cli/cli.js',
      '.env',
      '.git/HEAD',
      '.venv/bin/python',
      '.momentum/pgdata',
      'test-artifacts/x.log',
    ]) {
      expect(ignored.ignores(path), path).toBe(true);
    }
  });

  it('lets in every committed file, so the build stage builds from the checkout', () => {
    const tracked = execFileSync('git', ['ls-files'], { cwd: ROOT }).toString().trim().split('\n');
    expect(tracked.length).toBeGreaterThan(100);
    expect(tracked.filter((path) => ignored.ignores(path))).toEqual([]);
  });
});

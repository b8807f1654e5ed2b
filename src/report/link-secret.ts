/**
 * The secret that signs report links (report-link.ts): MOMENTUM_LINK_SECRET when set, else the
 * file `<MOMENTUM_HOME>/link-secret`, made with 32 random bytes (readable by its owner only) the
 * first time it is needed. Whatever publishes mail (the batch service, the demo) and `momentum
 * serve` must see the same one: the same MOMENTUM_HOME, or the variable on both.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Environment } from '../config.js';
import { ConfigError } from '../errors.js';

/** @example const secret = linkSecret(readEnvironment()) */
export function linkSecret(env: Pick<Environment, 'home' | 'linkSecret'>): string {
  if (env.linkSecret !== undefined) return env.linkSecret;
  const path = join(env.home, 'link-secret');
  if (!existsSync(path)) create(path);
  const secret = readFileSync(path, 'utf8').trim();
  if (secret.length < 32)
    throw new ConfigError(`${path} holds no usable link secret (at least 32 characters): delete it and a new one is made`);
  return secret;
}

function create(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  // Written aside, then linked into place: a process that reads it never sees it half-written,
  // and one made meanwhile by another process is kept (link fails with EEXIST).
  const draft = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(draft, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
  try {
    linkSync(draft, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(draft, { force: true });
  }
}

/**
 * The browser of the browser suite: the Chromium headless shell that the npm package
 * @sparticuz/chromium ships inside its tarball (brotli-compressed: the binary, the NSS libraries it
 * links, and fonts), so `npm install` brings it from the registry with no download of its own and
 * `npm test` runs it on a machine with only Node and npm. The same browser everywhere, CI included.
 * It is unpacked once per installed version into node_modules/.cache (about 200 MB), into a scratch
 * folder renamed into place, so test runs started together never see half a browser.
 * CHROMIUM_PATH names another browser instead (e.g. /usr/bin/chromium).
 */
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { extract } from 'tar-fs';
import { ROOT } from './cli.js';

export interface TestBrowser {
  readonly executablePath: string;
  /** Environment for the browser process: where its libraries and fonts are. */
  readonly env: Record<string, string>;
}

const PACKAGE = '@sparticuz/chromium';

export async function testBrowser(): Promise<TestBrowser> {
  const chosen = process.env['CHROMIUM_PATH'];
  if (chosen) return { executablePath: chosen, env: {} };
  const dir = await unpacked();
  return {
    executablePath: join(dir, 'chromium'),
    env: {
      LD_LIBRARY_PATH: [join(dir, 'lib'), process.env['LD_LIBRARY_PATH']].filter(Boolean).join(':'),
      FONTCONFIG_PATH: dir,
    },
  };
}

/** The test browser, launched headless: what every browser test starts with. */
export async function launchTestBrowser(): Promise<Browser> {
  const { executablePath, env } = await testBrowser();
  return chromium.launch({ executablePath, env: { ...process.env, ...env }, args: ['--headless', '--no-sandbox'] });
}

async function unpacked(): Promise<string> {
  const bin = join(packageDir(), 'bin');
  const version = (JSON.parse(readFileSync(join(packageDir(), 'package.json'), 'utf8')) as { version: string }).version;
  const cache = join(ROOT, 'node_modules', '.cache');
  const dir = join(cache, `chromium-${version}`);
  if (existsSync(dir)) return dir;
  const scratch = join(cache, `chromium-${version}.${process.pid}.${Date.now()}`);
  mkdirSync(scratch, { recursive: true });
  try {
    await pipeline(
      createReadStream(join(bin, 'chromium.br')),
      createBrotliDecompress(),
      createWriteStream(join(scratch, 'chromium'), { mode: 0o755 }),
    );
    for (const archive of ['al2023.tar.br', 'fonts.tar.br']) {
      await pipeline(createReadStream(join(bin, archive)), createBrotliDecompress(), extract(scratch));
    }
    // The packaged fonts.conf points at Lambda's folders: point fontconfig at the fonts unpacked here, and only them.
    writeFileSync(
      join(scratch, 'fonts.conf'),
      `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig><dir>${join(dir, 'fonts')}</dir><cachedir>${join(dir, 'fonts-cache')}</cachedir></fontconfig>\n`,
    );
    renameSync(scratch, dir);
  } catch (error) {
    rmSync(scratch, { recursive: true, force: true });
    if (existsSync(dir)) return dir; // another run unpacked it first
    throw error;
  }
  return dir;
}

function packageDir(): string {
  // The package's entry is build/cjs/index.cjs: its root is two folders up.
  return join(createRequire(import.meta.url).resolve(PACKAGE), '..', '..', '..');
}

/** Collects the page's console errors and uncaught exceptions into `errors`, for a test to expect none. */
export function collectPageErrors(page: Page, errors: string[]): void {
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
}

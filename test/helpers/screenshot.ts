/**
 * Full-page screenshots of the browser suite, saved in test-artifacts/browser/. Chromium's capture
 * can be refused ("Unable to capture screenshot") when the compositor misses a frame on a busy
 * machine: a capture refused that way is tried again after the page paints a new frame. The
 * assertions of the tests are on the page, so a retried capture changes nothing they check.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/browser', import.meta.url));

declare const requestAnimationFrame: (callback: () => void) => void;

const ATTEMPTS = 4;

/** Saves a full-page screenshot as `name` and returns the PNG. */
export async function saveScreenshot(page: Page, name: string): Promise<Buffer> {
  mkdirSync(ARTIFACTS, { recursive: true });
  for (let attempt = 1; ; attempt++) {
    try {
      return await page.screenshot({ path: join(ARTIFACTS, name), fullPage: true });
    } catch (error) {
      if (attempt >= ATTEMPTS || !String(error).includes('Unable to capture screenshot')) throw error;
      await page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))));
    }
  }
}

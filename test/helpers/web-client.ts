/** The web pages as a browser without scripts uses them: GET with the session cookie, form POSTs, a job page followed until done. */
import { expect } from 'vitest';

export interface WebPage {
  readonly status: number;
  readonly html: string;
  readonly headers: Headers;
}

export async function getPage(url: string, cookie = ''): Promise<WebPage> {
  const response = await fetch(url, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
  return { status: response.status, html: await response.text(), headers: response.headers };
}

/** The headers of every page; `charts`: a page that draws charts (inline styles allowed, never inline scripts). */
export function expectSecurityHeaders(page: WebPage, charts = false): void {
  const policy = page.headers.get('content-security-policy');
  expect(policy).toMatch(/^default-src 'self';/);
  expect(policy).toContain("script-src 'self';");
  if (charts) expect(policy).toContain("style-src 'self' 'unsafe-inline';");
  else expect(policy).not.toContain('unsafe-inline');
  expect(page.headers.get('x-content-type-options')).toBe('nosniff');
  expect(page.headers.get('referrer-policy')).toBe('same-origin');
}

/** A form page's session, as a browser would hold it: its cookie and CSRF token. */
export async function webSession(base: string, path = '/strategies'): Promise<{ cookie: string; csrf: string; page: WebPage }> {
  const page = await getPage(`${base}${path}`);
  const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.html)![1]!;
  return { cookie, csrf, page };
}

export function postForm(url: string, fields: Record<string, string>, cookie: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

/** Follows a job's page until it no longer reloads itself (the job decides when). */
export async function settledPage(base: string, location: string, cookie: string): Promise<WebPage> {
  for (;;) {
    const page = await getPage(`${base}${location}`, cookie);
    expect(page.status).toBe(200);
    if (!page.html.includes('http-equiv="refresh"')) return page;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// GET /docs: the API reference renders offline. The page and every script it loads come from the
// API itself (the pinned @scalar/api-reference bundle, no CDN), and a Content-Security-Policy lets
// the browser run scripts from the API's own origin only.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnvironment, type TestEnvironment } from '../support/environment.js';
import { request } from '../support/http.js';

const PUBLIC_BASE_URL = 'https://dnc.example.com';

let env: TestEnvironment;
let baseUrl: string;
let page: { status: number; headers: Headers; body: string };

beforeAll(async () => {
  env = await createTestEnvironment();
  baseUrl = (await env.startApi({ PUBLIC_BASE_URL })).baseUrl;
  page = await request<string>(baseUrl, 'GET', '/docs');
});
afterAll(() => env?.cleanup());

/** Every URL the page's markup references (src, href, srcset, url(…) and inline imports). */
function referencedUrls(html: string): string[] {
  const attributes = [...html.matchAll(/\s(?:src|href|srcset|action|data|poster)\s*=\s*["']?([^"'\s>]+)/gi)].map((m) => m[1]!);
  const cssUrls = [...html.matchAll(/url\(\s*["']?([^"')]+)/gi)].map((m) => m[1]!);
  return [...attributes, ...cssUrls];
}

/** The directives of a Content-Security-Policy header, by name. */
function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((tokens) => tokens[0])
      .map(([name, ...sources]) => [name!.toLowerCase(), sources]),
  );
}

// A devDependency: `pnpm build` copies its bundle into the API's dist, so production does not install it.
const scalarVersion = (): string =>
  (JSON.parse(readFileSync(new URL('../../apps/api/package.json', import.meta.url), 'utf8')) as { devDependencies: Record<string, string> })
    .devDependencies['@scalar/api-reference']!;
describe('GET /docs', () => {
  it('when fetched, then it answers an HTML page with no inline script and no inline style', () => {
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html\b/);
    expect(page.body).toMatch(/^<!doctype html>/i);
    // Every <script> has a src and an empty body; no style element or attribute, no event handler.
    const scripts = [...page.body.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThanOrEqual(2);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\ssrc=/);
      expect(body!.trim()).toBe('');
    }
    expect(page.body).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
  });

  it('when its markup is read, then every URL it references is on the API’s own origin, and each answers 200 with a JS or CSS type', async () => {
    const urls = referencedUrls(page.body);
    expect(urls.length).toBeGreaterThanOrEqual(2);
    for (const url of urls) {
      // Same-origin paths only: no scheme, no protocol-relative //host.
      expect(url, url).toMatch(/^\/(?!\/)/);
      const resolved = new URL(url, baseUrl);
      expect(resolved.origin).toBe(baseUrl);
      const asset = await request<string>(baseUrl, 'GET', resolved.pathname + resolved.search);
      expect(asset.status, url).toBe(200);
      expect(asset.headers.get('content-type'), url).toMatch(/^(text\/javascript|application\/javascript|text\/css)\b/);
      expect(asset.body.length, url).toBeGreaterThan(0);
    }
  });

  it('when the renderer is fetched, then it is the pinned @scalar/api-reference standalone bundle, versioned in its URL and cached for good', async () => {
    const version = scalarVersion();
    // Pinned to an exact version: what /docs runs changes only with a lockfile change.
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(page.body).toContain(`src="/docs/scalar.js?v=${version}"`);
    const bundle = await request<string>(baseUrl, 'GET', `/docs/scalar.js?v=${version}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-encoding')).toBe('gzip');
    expect(bundle.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(bundle.body).toContain('window.Scalar={createApiReference');
    // The map it names is not served: the reference to it is dropped.
    expect(bundle.body).not.toContain('sourceMappingURL');
    // Any other version in the URL is served too, but not cached.
    const unversioned = await request<string>(baseUrl, 'GET', '/docs/scalar.js');
    expect(unversioned.headers.get('cache-control')).toBe('no-cache');
    expect(unversioned.body).toBe(bundle.body);
  });

  it('when the configuration script is read, then it renders /openapi.json and turns off every default that fetches from another host', async () => {
    const init = await request<string>(baseUrl, 'GET', '/docs/init.js');
    expect(init.status).toBe(200);
    const call = /Scalar\.createApiReference\('#([\w-]+)', (\{.*\})\);/.exec(init.body);
    expect(call, init.body).not.toBeNull();
    expect(page.body).toContain(`<div id="${call![1]}"></div>`);
    expect(JSON.parse(call![2]!)).toMatchObject({
      url: '/openapi.json',
      withDefaultFonts: false,
      telemetry: false,
      agent: { disabled: true },
      mcp: { disabled: true },
      showDeveloperTools: 'never',
    });
    expect((await request(baseUrl, 'GET', '/openapi.json')).status).toBe(200);
  });

  it('when the page and its scripts are fetched, then each carries a CSP whose scripts come only from the API itself', async () => {
    const version = scalarVersion();
    for (const path of ['/docs', '/docs/init.js', `/docs/scalar.js?v=${version}`]) {
      const response = path === '/docs' ? page : await request<string>(baseUrl, 'GET', path);
      const policy = response.headers.get('content-security-policy');
      expect(policy, path).toBeTruthy();
      const csp = directives(policy!);
      expect(csp.get('default-src'), path).toEqual(["'none'"]);
      // Scripts: this origin only; no other host, no inline script, no eval.
      expect(csp.get('script-src'), path).toEqual(["'self'"]);
      // Styles: the bundle injects its CSS as <style> elements, so inline styles are allowed, from no other host.
      expect(csp.get('style-src'), path).toEqual(["'self'", "'unsafe-inline'"]);
      for (const name of ['img-src', 'font-src']) {
        for (const source of csp.get(name) ?? []) expect(["'self'", 'data:', 'blob:'], `${path} ${name}`).toContain(source);
      }
      // Data: this origin, and the public base URL that "Test request" sends requests to.
      expect(csp.get('connect-src'), path).toEqual(["'self'", PUBLIC_BASE_URL]);
      expect(csp.get('frame-ancestors'), path).toEqual(["'none'"]);
    }
  });
});

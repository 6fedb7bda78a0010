// The interactive reference at GET /docs: a page and two scripts, all from this API. The page
// loads the pinned @scalar/api-reference standalone bundle (no CDN, no web fonts) and a small
// script that starts it on /openapi.json.
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DOCS_PATH = '/docs';
export const DOCS_BUNDLE_PATH = '/docs/scalar.js';
export const DOCS_INIT_PATH = '/docs/init.js';
const DOCS_ELEMENT_ID = 'api-reference-app';

/**
 * The compiled API ships the bundle next to its code (`pnpm build` copies it into
 * `apps/api/dist/docs-assets/`), so production installs neither `@scalar/api-reference` nor the
 * ~260 packages it depends on. Running from the sources, the devDependency is read directly.
 */
const SHIPPED_ASSETS = new URL('../docs-assets/', import.meta.url);

/** The pinned @scalar/api-reference: its version and the standalone browser bundle it ships. */
export function scalarPackage(): { version: string; bundlePath: string } {
  const shippedBundle = fileURLToPath(new URL('scalar.js', SHIPPED_ASSETS));
  if (existsSync(shippedBundle)) {
    const { version } = JSON.parse(readFileSync(fileURLToPath(new URL('scalar-version.json', SHIPPED_ASSETS)), 'utf8')) as {
      version: string;
    };
    return { version, bundlePath: shippedBundle };
  }
  // Its exports map has neither package.json nor dist/browser: resolve the entry (dist/index.js) and walk up.
  const root = path.resolve(path.dirname(createRequire(import.meta.url).resolve('@scalar/api-reference')), '..');
  const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  return { version, bundlePath: path.join(root, 'dist', 'browser', 'standalone.js') };
}

/** The page: two same-origin scripts, no inline script or style, nothing from another host. */
export function docsPage(version: string): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '  <head>',
    '    <meta charset="utf-8" />',
    '    <meta name="viewport" content="width=device-width, initial-scale=1" />',
    '    <title>DNC API reference</title>',
    '  </head>',
    '  <body>',
    `    <div id="${DOCS_ELEMENT_ID}"></div>`,
    `    <script src="${DOCS_BUNDLE_PATH}?v=${encodeURIComponent(version)}"></script>`,
    `    <script src="${DOCS_INIT_PATH}"></script>`,
    '  </body>',
    '</html>',
    '',
  ].join('\n');
}

/** Scalar's configuration, as a script of its own (the CSP allows no inline script). */
export function docsInitScript(): string {
  const configuration = {
    url: '/openapi.json',
    // Everything the bundle would fetch from Scalar's hosts is off: fonts, telemetry, the AI agent,
    // MCP and the developer toolbar. (The page's CSP would block them anyway.)
    withDefaultFonts: false,
    telemetry: false,
    agent: { disabled: true },
    mcp: { disabled: true },
    showDeveloperTools: 'never',
    metaData: { title: 'DNC API reference' },
  };
  return `// Renders /openapi.json with the Scalar bundle served next to this file.\nScalar.createApiReference('#${DOCS_ELEMENT_ID}', ${JSON.stringify(configuration)});\n`;
}

/**
 * Scripts, styles, fonts and data from this API only. Styles need 'unsafe-inline': the bundle
 * injects its CSS as <style> elements. The public base URL is where "Test request" sends requests.
 */
export function docsContentSecurityPolicy(publicBaseUrl: string): string {
  const apiOrigin = new URL(publicBaseUrl).origin;
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self' ${apiOrigin}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

// GET /openapi.json, and GET /docs with its two scripts (the Scalar reference, scalar.ts).
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Config } from '@dnc/shared';
import type { Express, Request, Response } from 'express';
import { openApiDocument } from './builder.js';
import {
  DOCS_BUNDLE_PATH,
  DOCS_INIT_PATH,
  DOCS_PATH,
  docsContentSecurityPolicy,
  docsInitScript,
  docsPage,
  scalarPackage,
} from './scalar.js';

const gzipAsync = promisify(gzip);

/** A file read and gzipped once, on first use, and kept in memory. */
function cachedAsset(load: () => Promise<Buffer>) {
  let plain: Promise<Buffer> | undefined;
  let gzipped: Promise<Buffer> | undefined;
  const retryOnFailure = (promise: Promise<Buffer>, reset: () => void) =>
    promise.catch((error: unknown) => {
      reset();
      throw error;
    });
  return (req: Request): Promise<{ body: Buffer; gzipped: boolean }> => {
    plain ??= retryOnFailure(load(), () => (plain = undefined));
    if (!req.acceptsEncodings('gzip')) return plain.then((body) => ({ body, gzipped: false }));
    gzipped ??= retryOnFailure(
      plain.then((body) => gzipAsync(body)),
      () => (gzipped = undefined),
    );
    return gzipped.then((body) => ({ body, gzipped: true }));
  };
}

/** GET /openapi.json, and GET /docs with its two scripts. */
export function mountApiDocs(app: Express, config: Pick<Config, 'publicBaseUrl'>): void {
  // Built on the first request for it, then kept: a process nobody asks for it never holds it.
  let document: ReturnType<typeof openApiDocument> | undefined;
  app.get('/openapi.json', (_req, res) => {
    document ??= openApiDocument(config.publicBaseUrl);
    res.json(document);
  });

  const scalar = scalarPackage();
  const csp = docsContentSecurityPolicy(config.publicBaseUrl);
  const page = docsPage(scalar.version);
  const init = docsInitScript();
  // The bundle ends with a sourceMappingURL comment for a 20 MB map we do not serve: drop it.
  const bundle = cachedAsset(async () => {
    const source = await readFile(scalar.bundlePath, 'utf8');
    return Buffer.from(source.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n'));
  });
  const sendScript = (res: Response, body: Buffer | string, cacheControl: string) => {
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('Cache-Control', cacheControl);
    res.type('text/javascript; charset=utf-8').send(body);
  };

  app.get(DOCS_PATH, (_req, res) => {
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('Cache-Control', 'no-cache');
    res.type('html').send(page);
  });
  app.get(DOCS_INIT_PATH, (_req, res) => {
    sendScript(res, init, 'no-cache');
  });
  app.get(DOCS_BUNDLE_PATH, async (req, res) => {
    const { body, gzipped } = await bundle(req);
    res.vary('Accept-Encoding');
    if (gzipped) res.setHeader('Content-Encoding', 'gzip');
    // The page asks for the bundle under its version: that URL never changes content.
    sendScript(res, body, req.query.v === scalar.version ? 'public, max-age=31536000, immutable' : 'no-cache');
  });
}

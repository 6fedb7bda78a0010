// Part of `pnpm build`: copies the pinned Scalar standalone bundle into apps/api/dist/docs-assets/,
// so the compiled API serves /docs without `@scalar/api-reference` (and the ~260 packages it
// depends on) among its production dependencies. See apps/api/src/openapi/scalar.ts.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const apiRoot = fileURLToPath(new URL('../apps/api/', import.meta.url));
const scalarRoot = path.resolve(path.dirname(createRequire(path.join(apiRoot, 'package.json')).resolve('@scalar/api-reference')), '..');
// A plain .mjs (the build must not need TypeScript tooling): JSON.parse is untyped here.
// eslint-disable-next-line @typescript-eslint/no-unsafe-assignment
const { version } = JSON.parse(readFileSync(path.join(scalarRoot, 'package.json'), 'utf8'));

const target = path.join(apiRoot, 'dist', 'docs-assets');
mkdirSync(target, { recursive: true });
copyFileSync(path.join(scalarRoot, 'dist', 'browser', 'standalone.js'), path.join(target, 'scalar.js'));
writeFileSync(path.join(target, 'scalar-version.json'), `${JSON.stringify({ version: String(version) })}\n`);
console.log(`copied @scalar/api-reference ${version} standalone bundle to ${path.relative(process.cwd(), target)}`);

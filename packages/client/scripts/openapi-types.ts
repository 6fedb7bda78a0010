// The client's wire types, generated from the OpenAPI document the API serves.
//
// scripts/export-openapi.ts (at the repository root) writes the document exactly as the default
// configuration serves it at GET /openapi.json, built from the code with no server, database or
// Redis; openapi-typescript turns it into TypeScript; prettier formats it like the rest of the
// repository. `pnpm --filter @dnc/client gen:types` writes the result to src/generated/openapi.ts
// (checked in), and test/client/generated-types.test.ts fails when that file is stale.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import { format, resolveConfig } from 'prettier';

const clientDir = fileURLToPath(new URL('..', import.meta.url));
const repositoryRoot = resolve(clientDir, '../..');

/** Where the generated types are checked in. */
export const generatedTypesPath = join(clientDir, 'src/generated/openapi.ts');

const header = `// Generated from the OpenAPI document the DNC API serves at GET /openapi.json, by
// \`pnpm --filter @dnc/client gen:types\` (openapi-typescript). Do not edit: regenerate.
`;

/** The OpenAPI document as the API serves it with the default configuration. */
export async function exportOpenApiDocument(): Promise<OpenAPI3> {
  const dir = await mkdtemp(join(tmpdir(), 'dnc-openapi-'));
  const file = join(dir, 'openapi.json');
  try {
    await promisify(execFile)(
      process.execPath,
      ['--conditions=@dnc/source', '--import', 'tsx', 'scripts/export-openapi.ts', '--out', file],
      { cwd: repositoryRoot },
    );
    return JSON.parse(await readFile(file, 'utf8')) as OpenAPI3;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The text src/generated/openapi.ts must hold. */
export async function generateOpenApiTypes(): Promise<string> {
  const ast = await openapiTS(await exportOpenApiDocument());
  const text = `${header}\n${astToString(ast)}`;
  return format(text, { ...(await resolveConfig(generatedTypesPath)), filepath: generatedTypesPath });
}

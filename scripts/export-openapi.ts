// Prints the OpenAPI document the API serves at /openapi.json, built from the code: no server,
// database or Redis needed. `servers` is PUBLIC_BASE_URL (default http://localhost:<PORT>).
//   tsx scripts/export-openapi.ts > openapi.json
// `pnpm lint:openapi` lints its output with Redocly (redocly.yaml).
//
// With --out, it writes the document as the default configuration serves it (whatever the
// environment says), formatted like the rest of the repository. docs/openapi.json is made so,
// and test/api/openapi.test.ts fails when it is stale:
//   node --conditions=@dnc/source --import tsx scripts/export-openapi.ts --out docs/openapi.json
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfig, loadConfigOrExit } from '@dnc/shared';
import { format, resolveConfig } from 'prettier';
import { openApiDocument } from '../apps/api/src/openapi/builder.js';

const { values } = parseArgs({ options: { out: { type: 'string' } } });

if (values.out === undefined) {
  const config = loadConfigOrExit();
  process.stdout.write(`${JSON.stringify(openApiDocument(config.publicBaseUrl), null, 2)}\n`);
} else {
  const text = JSON.stringify(openApiDocument(loadConfig({}).publicBaseUrl));
  await writeFile(values.out, await format(text, { ...(await resolveConfig(values.out)), filepath: values.out }));
}

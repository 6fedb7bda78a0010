// Prints the OpenAPI document the API serves at /openapi.json, built from the code: no server,
// database or Redis needed. `servers` is PUBLIC_BASE_URL (default http://localhost:<PORT>).
//   tsx scripts/export-openapi.ts > openapi.json
// `pnpm lint:openapi` lints its output with Redocly (redocly.yaml).
import { loadConfigOrExit } from '@dnc/shared';
import { openApiDocument } from '../apps/api/src/openapi/builder.js';

const config = loadConfigOrExit();
process.stdout.write(`${JSON.stringify(openApiDocument(config.publicBaseUrl), null, 2)}\n`);

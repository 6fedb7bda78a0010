// pnpm --filter @dnc/client gen:types — writes src/generated/openapi.ts (see openapi-types.ts).
import { writeFile } from 'node:fs/promises';
import { generatedTypesPath, generateOpenApiTypes } from './openapi-types.js';

await writeFile(generatedTypesPath, await generateOpenApiTypes());
process.stdout.write(`wrote ${generatedTypesPath}\n`);

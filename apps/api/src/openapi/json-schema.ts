// From zod to the document's JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1), with zod's
// own converter: named components, and the schemas of path, query and header parameters.
import { z } from 'zod';
import type { JsonSchema, OpenApiMediaType, OpenApiParameter } from './types.js';

const SCHEMA_REF = '#/components/schemas/';

/** A reference to a named schema of the document. */
export const ref = (name: string): JsonSchema => ({ $ref: `${SCHEMA_REF}${name}` });

/** A JSON body of this schema, with named examples when given. */
export const json = (schema: JsonSchema, examples?: OpenApiMediaType['examples']): Record<string, OpenApiMediaType> => ({
  'application/json': examples ? { schema, examples } : { schema },
});

/** Every schema of the registry as a named component; `io` picks what is sent (input) or answered (output). */
export function componentsOf(registry: z.core.$ZodRegistry<{ id: string }>, io: 'input' | 'output'): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(registry, { target: 'draft-2020-12', io, uri: (id) => `${SCHEMA_REF}${id}` });
  if ('__shared' in schemas) throw new Error('OpenAPI: a schema was extracted without a name; give it an id in the registry');
  return Object.fromEntries(Object.entries(schemas).map(([id, schema]) => [id, stripRootKeywords(schema as JsonSchema)]));
}

/** A component is a subschema of the document: it has no $schema or $id of its own. */
export function stripRootKeywords(schema: JsonSchema): JsonSchema {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

/**
 * A parameter's schema from its zod schema (input side). Query strings that zod parses into
 * numbers are documented as the number (OpenAPI describes a parameter's deserialized value).
 */
function parameterSchema(schema: z.ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    override: (ctx) => {
      const def = ctx.zodSchema._zod.def;
      if (def.type === 'pipe' && 'out' in def && (def.out as z.ZodType)._zod.def.type === 'number') {
        const numeric = stripRootKeywords(z.toJSONSchema(def.out as z.ZodType, { target: 'draft-2020-12' }));
        for (const key of Object.keys(ctx.jsonSchema)) delete (ctx.jsonSchema as JsonSchema)[key];
        Object.assign(ctx.jsonSchema, numeric);
      }
    },
  }) as JsonSchema;
  const result = stripRootKeywords(json);
  // A default applied by a transform is invisible to JSON Schema: ask the schema itself.
  const missing = schema.safeParse(undefined);
  if (missing.success && missing.data !== undefined) result.default = missing.data;
  return result;
}

/** `idempotency-key` → `Idempotency-Key`: how a header is written in the document. */
const headerName = (name: string) => name.replace(/(^|-)([a-z])/g, (_m, dash: string, letter: string) => `${dash}${letter.toUpperCase()}`);

/**
 * The parameters one zod object describes. Header schemas are keyed by the lower-case name
 * Node gives a header; the document writes it the usual way.
 */
export function parametersOf(location: 'path' | 'query' | 'header', object: z.ZodObject | undefined): OpenApiParameter[] {
  return Object.entries(object?.shape ?? {}).map(([name, field]: [string, z.ZodType]) => {
    const { description, ...schema } = parameterSchema(field);
    const parameter: OpenApiParameter = {
      name: location === 'header' ? headerName(name) : name,
      in: location,
      required: location === 'path' || !field.safeParse(undefined).success,
      schema,
    };
    if (typeof description === 'string') parameter.description = description;
    return parameter;
  });
}

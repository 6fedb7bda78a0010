// The parts of OpenAPI 3.1 this API's document uses, typed. (The tests read the document through
// these types too: test/support/http.ts.)
import type { RateLimitClass } from '@dnc/shared';

export type JsonSchema = Record<string, unknown>;

export type HttpMethod = 'get' | 'post' | 'delete';

export interface OpenApiHeader {
  description?: string;
  required?: boolean;
  schema: JsonSchema;
}

export interface OpenApiHeaderRef {
  $ref: string;
}

/** Named examples of one media type: `{ "<name>": { summary, value } }`. */
export type MediaExamples = Record<string, { summary?: string; value: unknown }>;

export interface OpenApiMediaType {
  schema: JsonSchema;
  examples?: MediaExamples;
}

export interface OpenApiResponse {
  description: string;
  headers?: Record<string, OpenApiHeaderRef>;
  content?: Record<string, OpenApiMediaType>;
}

export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  description?: string;
  schema: JsonSchema;
  example?: unknown;
}

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security: Record<string, string[]>[];
  parameters?: (OpenApiParameter | { $ref: string })[];
  requestBody?: { required: boolean; description?: string; content: Record<string, OpenApiMediaType> };
  responses: Record<string, OpenApiResponse>;
  'x-rate-limit-class'?: RateLimitClass;
}

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description: string };
  servers?: { url: string; description: string }[];
  tags: { name: string; description: string }[];
  paths: Record<string, Partial<Record<HttpMethod, OpenApiOperation>>>;
  components: {
    schemas: Record<string, JsonSchema>;
    parameters: Record<string, OpenApiParameter>;
    headers: Record<string, OpenApiHeader>;
    securitySchemes: Record<string, unknown>;
  };
}

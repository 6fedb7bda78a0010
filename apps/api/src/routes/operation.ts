// The shape of one /v1 operation in the route table: everything about it is declared once, here,
// and read by three things: the Express router (routes/mount.ts), the OpenAPI document
// (openapi/builder.ts) and the contract tests (test/api/openapi.test.ts).
import type { Config, ErrorCode, RateLimitClass, Scope, Services } from '@dnc/shared';
import type { z } from 'zod';
import type { actorOf } from '../http/request-context.js';
import type { ApiMetrics } from '../metrics.js';
import type { EnvelopeName } from '../openapi/components.js';
import type { ErrorExamples } from '../openapi/examples.js';
import type { HeaderName } from '../openapi/headers.js';
import type { HttpMethod, MediaExamples } from '../openapi/types.js';

/** The public prefix of every operation of the table. */
export const V1_PREFIX = '/v1';

/** The document's groups of /v1 operations. */
export type Tag = 'Entries' | 'Bulk deletion' | 'Audit';

/** One success response: its status is its key in `responses`. Every one carries the rate-limit headers. */
export interface SuccessResponse {
  description: string;
  /** The success envelope it answers with (openapi/components.ts). */
  schema: EnvelopeName;
  examples: MediaExamples;
  /** Headers it always sends, besides X-Request-Id and the rate-limit headers. */
  headers?: HeaderName[];
  /** Headers it sends only sometimes. */
  optionalHeaders?: HeaderName[];
}

/**
 * The most items an array field of a body may hold: more is a 413, decided before the body is
 * validated (10,001 ids are refused without checking each one first).
 */
export interface ItemLimit {
  field: string;
  /** Other array fields the same maximum applies to (a body that holds one of them instead). */
  otherFields?: readonly string[];
  /** What holds them, for the message: "A batch" holds at most 1000 entries. */
  holder: string;
  max: (config: Config) => number;
  /** `max` under the default configuration, for the document. */
  defaultMax: number;
}

/** The 413 message of an item limit: "A batch holds at most 1000 entries (got 1200)". */
export const tooManyItemsMessage = (limit: ItemLimit, max: number, got: number) =>
  `${limit.holder} holds at most ${max} ${limit.field} (got ${got})`;

export interface RequestBody<B> {
  /** Validates the JSON body; an optional schema makes the body optional. */
  schema: B;
  /** Its name among the document's schemas. */
  component: string;
  maxItems?: ItemLimit;
}

/** Who is calling: the key's team and id, and the request id (for the audit trail). */
export type Actor = ReturnType<typeof actorOf>;

export interface RouteContext {
  services: Services;
  metrics: ApiMetrics;
  actor: Actor;
}

/** What a handler answers: the contract's success body with this status, and any headers of its own. */
export interface Reply<S extends number = number> {
  status: S;
  data: unknown;
  message?: string;
  headers?: Record<string, string>;
}

type Parsed<T> = T extends z.ZodType ? z.output<T> : undefined;

/** The request's inputs, each parsed by the schema the operation declares for it. */
export interface RequestInput<P, Q, H, B> {
  params: Parsed<P>;
  query: Parsed<Q>;
  headers: Parsed<H>;
  body: Parsed<B>;
}

export interface V1Operation<
  P extends z.ZodObject | undefined = undefined,
  Q extends z.ZodObject | undefined = undefined,
  H extends z.ZodObject | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  S extends number = number,
> {
  method: HttpMethod;
  /** The public path, OpenAPI style: `/v1/dnc/{id}`. */
  path: string;
  operationId: string;
  summary: string;
  description: string;
  tag: Tag;
  /** The scope the key needs (403 `insufficient_scope` otherwise). */
  scope: Scope;
  /** The team budget each admitted request takes one slot of. */
  rateLimitClass: RateLimitClass;
  /** Path parameters. */
  params?: P;
  /** Query parameters; none declared means none accepted (whatever is sent must still be valid input). */
  query?: Q;
  /** Request headers the operation reads, keyed by their lower-case name. */
  headers?: H;
  body?: RequestBody<B>;
  /** The success responses, by status. */
  responses: Record<S, SuccessResponse>;
  /** The error codes this operation can answer with, besides those of every /v1 operation (openapi/errors.ts). */
  errors: ErrorCode[];
  /** Examples of its errors where the error schema's own would not fit it. */
  errorExamples?: ErrorExamples;
  /** Runs after authentication, scope, rate limit and validation; answers one of `responses`. */
  handler(input: RequestInput<P, Q, H, B>, context: RouteContext): Promise<Reply<NoInfer<S>>>;
}

/** An operation of the table, whatever its schemas (an input it does not declare is undefined). */
export type AnyV1Operation = V1Operation<z.ZodObject, z.ZodObject, z.ZodObject, z.ZodType, number>;

/** Declares an operation, inferring its schemas' types for its handler. */
export function defineOperation<
  P extends z.ZodObject | undefined = undefined,
  Q extends z.ZodObject | undefined = undefined,
  H extends z.ZodObject | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  S extends number = number,
>(operation: V1Operation<P, Q, H, B, S>): AnyV1Operation {
  return operation as unknown as AnyV1Operation;
}

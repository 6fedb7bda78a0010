// Generated from the OpenAPI document the DNC API serves at GET /openapi.json, by
// `pnpm --filter @dnc/client gen:types` (openapi-typescript). Do not edit: regenerate.

export interface paths {
  '/v1/dnc': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List the team’s entries
     * @description Newest first, ties broken by id. Page with `cursor`: pass the `nextCursor` of a page to read the next one (a keyset query: the same cost at any depth; no `total`). Or page with `offset` as in v1.0: such a page, and a request with neither, also carries `total` and `offset` (counting the whole list). Every page carries `nextCursor` (null on the last page).
     *
     *     Scope: `dnc:read`. Rate-limit class: `dnc-read` (default 60 per 60 s per team).
     */
    get: operations['listEntries'];
    put?: never;
    /**
     * Add a URL to the list
     * @description Normalizes the LinkedIn URL (`https://linkedin.com/in/<slug>`, slug lower-cased) and adds it. Invalidates the team’s check cache. Audited as `dnc.entry.added`.
     *
     *     Scope: `dnc:write`. Rate-limit class: `dnc-write` (default 30 per 60 s per team).
     */
    post: operations['addEntry'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/dnc/batch': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Add many URLs
     * @description 1 to 1000 entries (more → 413). One bad URL does not stop the rest; duplicates inside the batch count once. Each detail carries the entry’s `id`: the new one for `added`, the one already listed for `duplicate`. Audited per added entry.
     *
     *     Scope: `dnc:write`. Rate-limit class: `dnc-bulk` (default 10 per 60 s per team).
     */
    post: operations['addEntries'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/dnc/check': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Is this URL on the list?
     * @description Answers are cached per team (positive and negative alike); any add or delete for the team invalidates them at once.
     *
     *     Scope: `dnc:read`. Rate-limit class: `dnc-read` (default 60 per 60 s per team).
     */
    get: operations['checkUrl'];
    put?: never;
    /**
     * Scrub many URLs against the list
     * @description 1 to 1000 URLs (more → 413), one result per URL in request order, repeats included; a URL that is not a LinkedIn profile URL gets an `error` and does not fail the rest. The whole request takes one slot of the team’s `dnc-read` budget. Answers come from, and go into, the same per-team cache as `GET /v1/dnc/check` (invalidated by any add or delete of the team): a scrub costs one cache read, at most one database query (for the URLs not cached) and one cache write, whatever its size.
     *
     *     Scope: `dnc:read`. Rate-limit class: `dnc-read` (default 60 per 60 s per team).
     */
    post: operations['checkUrls'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/dnc/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /**
     * Delete an entry
     * @description Removes the row for good and writes the `dnc.entry.deleted` audit event in the same transaction, then invalidates the team’s check cache. The reason may come as a JSON body or as the `reason` query parameter. With `Prefer: respond-async` the deletion is queued as a one-item bulk job (202); the request takes one `dnc-write` slot and the worker takes another when it executes the item, as every bulk item does.
     *
     *     Scope: `dnc:write`. Rate-limit class: `dnc-write` (default 30 per 60 s per team).
     */
    delete: operations['deleteEntry'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/dnc/audit': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The team’s audit trail
     * @description Newest first. A team sees only its own events. Page with `cursor` (the `nextCursor` of the previous page, made for the same filters; no `total`) or with `offset` (with `total`); every page carries `nextCursor`, null on the last page.
     *
     *     Scope: `dnc:read`. Rate-limit class: `dnc-read` (default 60 per 60 s per team).
     */
    get: operations['listAuditEvents'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/dnc/bulk-delete': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Submit a bulk deletion
     * @description 1 to 10,000 entry `ids`, or instead 1 to 10,000 profile `urls` (`BULK_MAX_IDS`; more → 413; exactly one of the two, else 400); repeats collapse to one item. URLs are normalized at submission: one that is not a LinkedIn profile URL is a 400 naming it (`urls[<index>]`), and no job is created; when its item executes, the team’s entry with that URL is deleted (none → `not_found`), and the item shows the entry id it resolved to. The worker deletes each item exactly like a synchronous delete (same authorization, audit event and cache invalidation), drawing one slot of the team’s `dnc-write` budget per item, but never the last `DNC_WRITE_RESERVED_FOR_SYNC` slots. The same `Idempotency-Key` with the same body (the ids, or the normalized URLs, and the reason) within 24 h returns the same job (200); with a different body → 422. Audited as `dnc.bulk_delete.submitted`.
     *
     *     Scope: `dnc:write`. Rate-limit class: `dnc-bulk` (default 10 per 60 s per team).
     */
    post: operations['submitBulkDeletion'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/dnc/bulk-delete/{jobId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Poll a bulk deletion
     * @description While the job is not finished, `Retry-After` suggests when to poll again.
     *
     *     Scope: `dnc:read`. Rate-limit class: `jobs-read` (default 120 per 60 s per team).
     */
    get: operations['getBulkJob'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/dnc/bulk-delete/{jobId}/items': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The items of a bulk deletion
     * @description In submission order, optionally filtered by status. An item of a job submitted by URL carries its normalized `url`, and `id` once it resolved to the team’s entry (null when none had that URL). Page with `cursor` (the `nextCursor` of the previous page, made for the same job and status; no `total`) or with `offset` (with `total`); every page carries `nextCursor`, null on the last page.
     *
     *     Scope: `dnc:read`. Rate-limit class: `jobs-read` (default 120 per 60 s per team).
     */
    get: operations['listBulkJobItems'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/dnc/bulk-delete/{jobId}/cancel': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Cancel a bulk deletion
     * @description Pending items become `cancelled`; items already deleted stay deleted. Cancelling a finished job returns it unchanged. Audited as `dnc.bulk_delete.cancelled`.
     *
     *     Scope: `dnc:write`. Rate-limit class: `dnc-bulk` (default 10 per 60 s per team).
     */
    post: operations['cancelBulkJob'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/healthz': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Liveness */
    get: operations['health'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/readyz': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Readiness */
    get: operations['readiness'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/metrics': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Prometheus metrics
     * @description Request counts and latencies by route and status, rate-limit decisions, bulk-job progress and process metrics.
     */
    get: operations['metrics'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/admin/queues': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Queue dashboard (operators)
     * @description The bulk-deletion queue, read-only. Mounted only when `ADMIN_TOKEN` is set (404 otherwise); send the token as `Authorization: Bearer <ADMIN_TOKEN>` or as the password of Basic auth (a browser asks for it: any user name, the token as password).
     */
    get: operations['adminQueues'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/openapi.json': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** This document */
    get: operations['openapi'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/docs': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Interactive API reference
     * @description Renders this document with the Scalar API reference, served by this API (no CDN, no external fonts). A browser page; its Content-Security-Policy lets it load scripts, styles and data only from this API.
     */
    get: operations['docs'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/docs/scalar.js': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The API reference’s renderer
     * @description The standalone browser bundle of `@scalar/api-reference`, at the exact version the API depends on. `/docs` asks for it with `?v=<version>`, which makes it cacheable for a year.
     */
    get: operations['docsBundle'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/docs/init.js': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The API reference’s configuration
     * @description Starts the renderer on `/docs` with this document (a script of its own, so that the page needs no inline script).
     */
    get: operations['docsInit'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    /**
     * Format: date-time
     * @description ISO-8601 UTC time with milliseconds
     * @example 2026-11-26T10:30:00.000Z
     */
    Timestamp: string;
    /**
     * @description An entry of the team’s Do Not Contact list
     * @example {
     *       "$id": "dnc_7Hq2LmX9pR4sT1vW3yZa",
     *       "teamId": "team_acme",
     *       "url": "https://linkedin.com/in/jane-doe",
     *       "$createdAt": "2026-11-26T10:30:00.000Z",
     *       "$updatedAt": "2026-11-26T10:30:00.000Z"
     *     }
     */
    Entry: {
      /** @example dnc_7Hq2LmX9pR4sT1vW3yZa */
      $id: string;
      /** @example team_acme */
      teamId: string;
      /**
       * @description Normalized LinkedIn member profile URL
       * @example https://linkedin.com/in/jane-doe
       */
      url: string;
      $createdAt: components['schemas']['Timestamp'];
      $updatedAt: components['schemas']['Timestamp'];
    };
    /** @description One page of the team’s entries, newest first */
    EntryList: {
      entries: components['schemas']['Entry'][];
      /** @description How many items the whole list (with its filters) holds. Present when the page was read by offset, absent when by cursor. */
      total?: number;
      limit: number;
      /** @description The offset the page was read at (0 when neither offset nor cursor was given); absent when read by cursor. */
      offset?: number;
      /** @description Pass as `cursor` to read the next page; null on the last page. */
      nextCursor: string | null;
    };
    /** @description Whether the URL is on the team’s list, and the entry when it is */
    CheckResult:
      | {
          /** @constant */
          onList: true;
          entry: components['schemas']['Entry'];
        }
      | {
          /** @constant */
          onList: false;
          entry: null;
        };
    /**
     * @description One result per URL sent, in request order (repeats included)
     * @example {
     *       "results": [
     *         {
     *           "url": "https://www.linkedin.com/in/Jane-Doe/",
     *           "normalizedUrl": "https://linkedin.com/in/jane-doe",
     *           "onList": true,
     *           "entry": {
     *             "$id": "dnc_7Hq2LmX9pR4sT1vW3yZa",
     *             "teamId": "team_acme",
     *             "url": "https://linkedin.com/in/jane-doe",
     *             "$createdAt": "2026-11-26T10:30:00.000Z",
     *             "$updatedAt": "2026-11-26T10:30:00.000Z"
     *           }
     *         },
     *         {
     *           "url": "in/john-smith",
     *           "normalizedUrl": "https://linkedin.com/in/john-smith",
     *           "onList": false,
     *           "entry": null
     *         },
     *         {
     *           "url": "https://example.com/x",
     *           "normalizedUrl": null,
     *           "onList": false,
     *           "entry": null,
     *           "error": "not a linkedin.com URL"
     *         }
     *       ],
     *       "onList": 1,
     *       "errors": 1
     *     }
     */
    CheckUrlsResult: {
      results: {
        /** @description The URL as it was sent */
        url: string;
        /** @description The URL as the list stores it; null when it is not a LinkedIn profile URL */
        normalizedUrl: string | null;
        onList: boolean;
        /** @description The team’s entry for the URL when it is listed */
        entry: components['schemas']['Entry'] | null;
        /** @description Why the URL is not a LinkedIn profile URL (then onList is false) */
        error?: string;
      }[];
      /** @description Results that are on the list */
      onList: number;
      /** @description Results with an `error` */
      errors: number;
    };
    /**
     * @description Outcome of a batch add, one detail per submitted URL in submission order
     * @example {
     *       "added": 1,
     *       "duplicates": 1,
     *       "errors": 1,
     *       "details": [
     *         {
     *           "url": "linkedin.com/in/jane-doe",
     *           "status": "added",
     *           "id": "dnc_7Hq2LmX9pR4sT1vW3yZa"
     *         },
     *         {
     *           "url": "https://www.linkedin.com/in/Jane-Doe/",
     *           "status": "duplicate",
     *           "id": "dnc_7Hq2LmX9pR4sT1vW3yZa"
     *         },
     *         {
     *           "url": "https://example.com/x",
     *           "status": "error",
     *           "error": "not a linkedin.com URL"
     *         }
     *       ]
     *     }
     */
    BatchAddResult: {
      added: number;
      duplicates: number;
      errors: number;
      details: {
        /** @description The URL as it was sent */
        url: string;
        /** @enum {string} */
        status: 'added' | 'duplicate' | 'error';
        /** @description The entry’s id: the new entry for "added", the entry already listed (or added earlier in this batch) for "duplicate"; absent for "error" */
        id?: string;
        /** @description Why the URL was rejected (status "error" only) */
        error?: string;
      }[];
    };
    DeleteResult: {
      /** @constant */
      message: 'DNC entry deleted successfully';
    };
    /**
     * @description A bulk deletion job
     * @example {
     *       "$id": "job_K3nP8qR2sT5vW7xY9zAb",
     *       "teamId": "team_acme",
     *       "status": "queued",
     *       "reason": "GDPR erasure request",
     *       "total": 2,
     *       "processed": 0,
     *       "counts": {
     *         "pending": 2,
     *         "deleted": 0,
     *         "notFound": 0,
     *         "forbidden": 0,
     *         "failed": 0,
     *         "cancelled": 0
     *       },
     *       "$createdAt": "2026-11-26T10:30:00.000Z",
     *       "startedAt": null,
     *       "finishedAt": null,
     *       "nextRunAt": null,
     *       "estimatedCompletionAt": "2026-11-26T10:30:02.000Z"
     *     }
     */
    Job: {
      /** @example job_K3nP8qR2sT5vW7xY9zAb */
      $id: string;
      teamId: string;
      /**
       * @description `queued` → `running` ⇄ `throttled` (waiting for the team’s rate-limit window; `nextRunAt` says when) → `completed` | `cancelled` | `failed`
       * @enum {string}
       */
      status: 'queued' | 'running' | 'throttled' | 'completed' | 'cancelled' | 'failed';
      reason: string | null;
      /** @description Items in the job: its distinct entry ids, or distinct normalized URLs */
      total: number;
      /** @description Items the worker has executed: deleted + notFound + forbidden + failed */
      processed: number;
      counts: components['schemas']['JobCounts'];
      $createdAt: components['schemas']['Timestamp'];
      startedAt: components['schemas']['Timestamp'] | null;
      finishedAt: components['schemas']['Timestamp'] | null;
      /** @description When a throttled job runs next */
      nextRunAt: components['schemas']['Timestamp'] | null;
      estimatedCompletionAt: components['schemas']['Timestamp'] | null;
    };
    /** @description Items of the job by status */
    JobCounts: {
      pending: number;
      deleted: number;
      notFound: number;
      forbidden: number;
      failed: number;
      cancelled: number;
    };
    /**
     * @description One item of a bulk deletion job: an entry id, or a URL submitted in its place
     * @example {
     *       "id": "dnc_7Hq2LmX9pR4sT1vW3yZa",
     *       "status": "deleted",
     *       "processedAt": "2026-11-26T10:30:00.000Z"
     *     }
     * @example {
     *       "id": "dnc_7Hq2LmX9pR4sT1vW3yZa",
     *       "url": "https://linkedin.com/in/jane-doe",
     *       "status": "deleted",
     *       "processedAt": "2026-11-26T10:30:00.000Z"
     *     }
     * @example {
     *       "id": null,
     *       "url": "https://linkedin.com/in/john-smith",
     *       "status": "not_found",
     *       "processedAt": "2026-11-26T10:30:00.000Z"
     *     }
     */
    JobItem: {
      /** @description The entry. For an item submitted by URL: null until the item resolved to the team’s entry with that URL (it stays null when none had it) */
      id: string | null;
      /**
       * @description The normalized URL, for an item submitted by URL only
       * @example https://linkedin.com/in/jane-doe
       */
      url?: string;
      /** @enum {string} */
      status: 'pending' | 'deleted' | 'not_found' | 'forbidden' | 'failed' | 'cancelled';
      /** @description Why the item failed (status "failed" only) */
      error?: string;
      processedAt: components['schemas']['Timestamp'] | null;
    };
    /** @description One page of a job’s items, in submission order */
    JobItemList: {
      items: components['schemas']['JobItem'][];
      /** @description How many items the whole list (with its filters) holds. Present when the page was read by offset, absent when by cursor. */
      total?: number;
      limit: number;
      /** @description The offset the page was read at (0 when neither offset nor cursor was given); absent when read by cursor. */
      offset?: number;
      /** @description Pass as `cursor` to read the next page; null on the last page. */
      nextCursor: string | null;
    };
    /**
     * @description One event of the team’s audit trail
     * @example {
     *       "$id": "aud_9fK2mQ7xR3tV5wY8zA1b",
     *       "teamId": "team_acme",
     *       "action": "dnc.entry.deleted",
     *       "entryId": "dnc_7Hq2LmX9pR4sT1vW3yZa",
     *       "url": "https://linkedin.com/in/jane-doe",
     *       "reason": "Customer request",
     *       "apiKeyId": "key_Ab12Cd34Ef56Gh78",
     *       "source": "api",
     *       "jobId": null,
     *       "requestId": "req-4711",
     *       "occurredAt": "2026-11-26T10:30:00.000Z"
     *     }
     */
    AuditEvent: {
      $id: string;
      teamId: string;
      /** @enum {string} */
      action: 'dnc.entry.added' | 'dnc.entry.deleted' | 'dnc.bulk_delete.submitted' | 'dnc.bulk_delete.cancelled';
      entryId: string | null;
      url: string | null;
      reason: string | null;
      apiKeyId: string | null;
      /** @enum {string} */
      source: 'api' | 'bulk';
      jobId: string | null;
      requestId: string | null;
      occurredAt: components['schemas']['Timestamp'];
    };
    /** @description One page of the team’s audit events, newest first */
    AuditEventList: {
      events: components['schemas']['AuditEvent'][];
      /** @description How many items the whole list (with its filters) holds. Present when the page was read by offset, absent when by cursor. */
      total?: number;
      limit: number;
      /** @description The offset the page was read at (0 when neither offset nor cursor was given); absent when read by cursor. */
      offset?: number;
      /** @description Pass as `cursor` to read the next page; null on the last page. */
      nextCursor: string | null;
    };
    ValidationDetail: {
      /**
       * @description Where the problem is, e.g. `body.url` or `query.limit`
       * @example body.url
       */
      path: string;
      /** @example is required */
      message: string;
    };
    /**
     * @example {
     *       "status": "ok"
     *     }
     */
    Health: {
      /** @constant */
      status: 'ok';
    };
    /**
     * @description Whether Postgres and Redis answer
     * @example {
     *       "status": "ready",
     *       "checks": {
     *         "postgres": true,
     *         "redis": true
     *       }
     *     }
     */
    Readiness: {
      /** @enum {string} */
      status: 'ready' | 'unavailable';
      checks: {
        postgres: boolean;
        redis: boolean;
      };
    };
    EntryCreatedResponse: {
      error: null;
      data: components['schemas']['Entry'];
      /** @constant */
      message: 'Added to Do Not Contact list';
    };
    BatchAddResponse: {
      error: null;
      data: components['schemas']['BatchAddResult'];
      /** @example Added 1, 1 duplicate(s), 1 error(s) */
      message: string;
    };
    EntryListResponse: {
      error: null;
      data: components['schemas']['EntryList'];
    };
    CheckResponse: {
      error: null;
      data: components['schemas']['CheckResult'];
    };
    CheckUrlsResponse: {
      error: null;
      data: components['schemas']['CheckUrlsResult'];
    };
    DeleteResponse: {
      error: null;
      data: components['schemas']['DeleteResult'];
    };
    JobQueuedResponse: {
      error: null;
      data: components['schemas']['Job'];
      /** @constant */
      message: 'Bulk deletion queued';
    };
    JobResponse: {
      error: null;
      data: components['schemas']['Job'];
    };
    JobItemListResponse: {
      error: null;
      data: components['schemas']['JobItemList'];
    };
    AuditEventListResponse: {
      error: null;
      data: components['schemas']['AuditEventList'];
    };
    /**
     * @description Malformed JSON, a bad field, a bad id format or a bad query parameter
     * @example {
     *       "error": "validation_error",
     *       "message": "Invalid request body: body.url is required",
     *       "data": null,
     *       "details": [
     *         {
     *           "path": "body.url",
     *           "message": "is required"
     *         }
     *       ]
     *     }
     */
    ValidationError: {
      /** @constant */
      error: 'validation_error';
      message: string;
      data: null;
      details: components['schemas']['ValidationDetail'][];
    };
    /**
     * @description No or malformed Authorization header
     * @example {
     *       "error": "missing_api_key",
     *       "message": "Send your API key as \"Authorization: Bearer <api key>\"",
     *       "data": null
     *     }
     */
    MissingApiKeyError: {
      /** @constant */
      error: 'missing_api_key';
      message: string;
      data: null;
    };
    /**
     * @description Unknown or revoked API key
     * @example {
     *       "error": "invalid_api_key",
     *       "message": "The API key is unknown or has been revoked",
     *       "data": null
     *     }
     */
    InvalidApiKeyError: {
      /** @constant */
      error: 'invalid_api_key';
      message: string;
      data: null;
    };
    /**
     * @description The key lacks the scope the route needs
     * @example {
     *       "error": "insufficient_scope",
     *       "message": "This API key lacks the \"dnc:write\" scope",
     *       "data": null
     *     }
     */
    InsufficientScopeError: {
      /** @constant */
      error: 'insufficient_scope';
      message: string;
      data: null;
    };
    /**
     * @description The entry or job exists but belongs to another team
     * @example {
     *       "error": "forbidden",
     *       "message": "This entry belongs to another team",
     *       "data": null
     *     }
     */
    ForbiddenError: {
      /** @constant */
      error: 'forbidden';
      message: string;
      data: null;
    };
    /**
     * @description No such entry, job or route
     * @example {
     *       "error": "not_found",
     *       "message": "No such DNC entry",
     *       "data": null
     *     }
     */
    NotFoundError: {
      /** @constant */
      error: 'not_found';
      message: string;
      data: null;
    };
    /**
     * @description The URL is already on the team’s list; `data.entry` is the existing entry
     * @example {
     *       "error": "duplicate_entry",
     *       "message": "This URL is already on your Do Not Contact list",
     *       "data": {
     *         "entry": {
     *           "$id": "dnc_7Hq2LmX9pR4sT1vW3yZa",
     *           "teamId": "team_acme",
     *           "url": "https://linkedin.com/in/jane-doe",
     *           "$createdAt": "2026-11-26T10:30:00.000Z",
     *           "$updatedAt": "2026-11-26T10:30:00.000Z"
     *         }
     *       }
     *     }
     */
    DuplicateEntryError: {
      /** @constant */
      error: 'duplicate_entry';
      message: string;
      data: {
        entry: components['schemas']['Entry'];
      };
    };
    /**
     * @description A request with the same Idempotency-Key is still being processed
     * @example {
     *       "error": "idempotency_key_in_use",
     *       "message": "A request with this Idempotency-Key is still being processed; retry shortly",
     *       "data": null
     *     }
     */
    IdempotencyKeyInUseError: {
      /** @constant */
      error: 'idempotency_key_in_use';
      message: string;
      data: null;
    };
    /**
     * @description Body over 1 MiB, or more items than a batch allows
     * @example {
     *       "error": "payload_too_large",
     *       "message": "Request bodies are limited to 1048576 bytes",
     *       "data": null
     *     }
     */
    PayloadTooLargeError: {
      /** @constant */
      error: 'payload_too_large';
      message: string;
      data: null;
    };
    /**
     * @description The same Idempotency-Key was sent with a different body
     * @example {
     *       "error": "idempotency_key_reused",
     *       "message": "This Idempotency-Key was used with a different request body",
     *       "data": null
     *     }
     */
    IdempotencyKeyReusedError: {
      /** @constant */
      error: 'idempotency_key_reused';
      message: string;
      data: null;
    };
    /**
     * @description The team’s budget for this operation class is spent
     * @example {
     *       "error": "rate_limit_exceeded",
     *       "message": "Rate limit of 30 dnc-write requests per window exceeded",
     *       "data": null,
     *       "resetTime": "2026-11-26T10:30:00.000Z",
     *       "retryAfter": 12
     *     }
     */
    RateLimitExceededError: {
      /** @constant */
      error: 'rate_limit_exceeded';
      message: string;
      data: null;
      /** @description When the next slot of the window frees */
      resetTime: components['schemas']['Timestamp'];
      /** @description Whole seconds to wait; same as the Retry-After header */
      retryAfter: number;
    };
    /**
     * @description Anything unexpected (logged with the request id)
     * @example {
     *       "error": "internal_error",
     *       "message": "An unexpected error occurred",
     *       "data": null
     *     }
     */
    InternalError: {
      /** @constant */
      error: 'internal_error';
      message: string;
      data: null;
    };
    /**
     * @description Postgres or Redis is unreachable
     * @example {
     *       "error": "service_unavailable",
     *       "message": "A backing service is temporarily unavailable; retry shortly",
     *       "data": null
     *     }
     */
    ServiceUnavailableError: {
      /** @constant */
      error: 'service_unavailable';
      message: string;
      data: null;
    };
    /**
     * @example {
     *       "url": "https://www.linkedin.com/in/Jane-Doe/",
     *       "reason": "Asked not to be contacted"
     *     }
     */
    AddEntryRequest: {
      /**
       * @description A LinkedIn member profile URL in any common spelling (`https://www.linkedin.com/in/Jane-Doe/`, `linkedin.com/in/jane-doe`, `in/jane-doe`, …)
       * @example https://www.linkedin.com/in/Jane-Doe/
       */
      url: string;
      /**
       * @description Why the person must not be contacted
       * @example Asked not to be contacted
       */
      reason?: string;
    };
    /**
     * @example {
     *       "entries": [
     *         {
     *           "url": "linkedin.com/in/jane-doe"
     *         },
     *         {
     *           "url": "in/john-smith"
     *         }
     *       ]
     *     }
     */
    BatchAddRequest: {
      /** @description 1 to 1000 entries; more → 413 payload_too_large */
      entries: {
        url: string;
      }[];
    };
    /**
     * @example {
     *       "urls": [
     *         "https://www.linkedin.com/in/Jane-Doe/",
     *         "in/john-smith",
     *         "https://example.com/x"
     *       ]
     *     }
     */
    CheckUrlsRequest: {
      /** @description 1 to 1000 URLs; more → 413 payload_too_large. Repeats are answered once each. */
      urls: string[];
    };
    DeleteEntryRequest: {
      /** @description Why the entry is deleted (recorded in the audit trail) */
      reason?: string;
    };
    /**
     * @example {
     *       "ids": [
     *         "dnc_7Hq2LmX9pR4sT1vW3yZa",
     *         "dnc_Zx8Yw7Vu6Ts5Rq4Po3Nm"
     *       ],
     *       "reason": "GDPR erasure request"
     *     }
     * @example {
     *       "urls": [
     *         "https://www.linkedin.com/in/Jane-Doe/",
     *         "in/john-smith"
     *       ],
     *       "reason": "Opt-out list from the CRM"
     *     }
     */
    BulkDeleteRequest: {
      /** @description Entry ids to delete: 1 to 10,000 (`BULK_MAX_IDS`; more → 413); repeats collapse to one item. Exactly one of `ids` and `urls`. */
      ids?: string[];
      /** @description LinkedIn profile URLs to delete the team’s entries of, in any spelling the add route accepts: 1 to 10,000 (`BULK_MAX_IDS`; more → 413). They are normalized at submission (one that is not a profile URL → 400 naming `urls[<index>]`, and no job) and repeats collapse to one item; each is resolved to the team’s entry when its item executes (none → `not_found`). Exactly one of `ids` and `urls`. */
      urls?: string[];
      /** @description Why the entries are deleted (recorded in the audit trail) */
      reason?: string;
    };
  };
  responses: never;
  parameters: {
    /** @description Your id for the request (echoed back, logged and written to the audit trail); one is generated when absent or malformed. */
    RequestId: string;
  };
  requestBodies: never;
  headers: {
    /** @description Two challenges, one header line each, so that a browser offers its login prompt: `Basic realm="admin", charset="UTF-8"` and `Bearer realm="admin"` (read together, as here, they are one comma-separated list). */
    AdminChallenge: string;
    /** @description The reference page loads scripts, styles, fonts and data from this API only (no CDN, no inline script). */
    ContentSecurityPolicy: string;
    /** @description Where to poll the job. */
    Location: string;
    /** @description The deletion was queued as a bulk job, as `Prefer: respond-async` asked. */
    PreferenceApplied: 'respond-async';
    /** @description What is left of it: `"<class>";r=<remaining>;t=<seconds until a slot frees>`. */
    RateLimit: string;
    /** @description What is left of it: `"<class>";r=<remaining>;t=<seconds until a slot frees>`. */
    RateLimitOptional: string;
    /** @description The team’s budget for this operation class: `"<class>";q=<limit>;w=<window seconds>`. */
    RateLimitPolicy: string;
    /** @description The team’s budget for this operation class: `"<class>";q=<limit>;w=<window seconds>`. */
    RateLimitPolicyOptional: string;
    /** @description The request id: echoed from the request’s `X-Request-Id` when it is sane, else generated. Also in the logs and the audit trail. */
    RequestId: string;
    /** @description Seconds to wait before retrying (or, on a job, before polling again). */
    RetryAfter: string;
    /** @description Seconds to wait before retrying (or, on a job, before polling again). */
    RetryAfterOptional: string;
    /** @description The authentication scheme to use. */
    WwwAuthenticate: string;
  };
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  listEntries: {
    parameters: {
      query?: {
        /** @description Page size */
        limit?: number;
        /** @description How many items to skip (0 when neither `offset` nor `cursor` is given). A page read by offset carries `total`; not with `cursor`. */
        offset?: number;
        /** @description Where the page starts: the `nextCursor` of the previous page, unchanged (opaque; valid only for the route, team and filters that produced it). A page read by cursor costs the same at any depth and carries no `total`; not with `offset`. */
        cursor?: string;
      };
      header?: {
        /** @description Your id for the request (echoed back, logged and written to the audit trail); one is generated when absent or malformed. */
        'X-Request-Id'?: components['parameters']['RequestId'];
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description One page of entries. */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicy'];
          RateLimit: components['headers']['RateLimit'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['EntryListResponse'];
        };
      };
      /** @description Validation error: malformed JSON, a body that cannot be read, a bad field (a NUL character included), a bad id format or a bad query parameter. */
      400: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicyOptional'];
          RateLimit: components['headers']['RateLimitOptional'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ValidationError'];
        };
      };
      /** @description No, malformed, unknown or revoked API key. Uses no rate-limit slot. */
      401: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'WWW-Authenticate': components['headers']['WwwAuthenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['MissingApiKeyError'] | components['schemas']['InvalidApiKeyError'];
        };
      };
      /** @description The key lacks the scope the route needs (uses no rate-limit slot), or the entry or job belongs to another team. */
      403: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['InsufficientScopeError'];
        };
      };
      /** @description The team’s budget for this operation class is spent. */
      429: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicy'];
          RateLimit: components['headers']['RateLimit'];
          'Retry-After': components['headers']['RetryAfter'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['RateLimitExceededError'];
        };
      };
      /** @description Something unexpected happened; it is logged with the request id. */
      500: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicyOptional'];
          RateLimit: components['headers']['RateLimitOptional'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['InternalError'];
        };
      };
      /** @description Postgres or Redis is unreachable; retry after `Retry-After` seconds. */
      503: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'Retry-After': components['headers']['RetryAfter'];
          'RateLimit-Policy': components['headers']['RateLimitPolicyOptional'];
          RateLimit: components['headers']['RateLimitOptional'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ServiceUnavailableError'];
        };
      };
    };
  };
  addEntry: {
    parameters: {
      query?: never;
      header?: {
        /** @description Your id for the request (echoed back, logged and written to the audit trail); one is generated when absent or malformed. */
        'X-Request-Id'?: components['parameters']['RequestId'];
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['AddEntryRequest'];
      };
    };
    responses: {
      /** @description Added. */
      201: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicy'];
          RateLimit: components['headers']['RateLimit'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['EntryCreatedResponse'];
        };
      };
      /** @description Validation error: malformed JSON, a body that cannot be read, a bad field (a NUL character included), a bad id format or a bad query parameter. */
      400: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicyOptional'];
          RateLimit: components['headers']['RateLimitOptional'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ValidationError'];
        };
      };
      /** @description No, malformed, unknown or revoked API key. Uses no rate-limit slot. */
      401: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'WWW-Authenticate': components['headers']['WwwAuthenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['MissingApiKeyError'] | components['schemas']['InvalidApiKeyError'];
        };
      };
      /** @description The key lacks the scope the route needs (uses no rate-limit slot), or the entry or job belongs to another team. */
      403: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['InsufficientScopeError'];
        };
      };
      /** @description Conflict. */
      409: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicy'];
          RateLimit: components['headers']['RateLimit'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['DuplicateEntryError'];
        };
      };
      /** @description The body is over 1 MiB, or holds more items than allowed. */
      413: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicy'];
          RateLimit: components['headers']['RateLimit'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PayloadTooLargeError'];
        };
      };
      /** @description The team’s budget for this operation class is spent. */
      429: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicy'];
          RateLimit: components['headers']['RateLimit'];
          'Retry-After': components['headers']['RetryAfter'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['RateLimitExceededError'];
        };
      };
      /** @description Something unexpected happened; it is logged with the request id. */
      500: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicyOptional'];
          RateLimit: components['headers']['RateLimitOptional'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['InternalError'];
        };
      };
      /** @description Postgres or Redis is unreachable; retry after `Retry-After` seconds. */
      503: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'Retry-After': components['headers']['RetryAfter'];
          'RateLimit-Policy': components['headers']['RateLimitPolicyOptional'];
          RateLimit: components['headers']['RateLimitOptional'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ServiceUnavailableError'];
        };
      };
    };
  };
  addEntries: {
    parameters: {
      query?: never;
      header?: {
        /** @description Your id for the request (echoed back, logged and written to the audit trail); one is generated when absent or malformed. */
        'X-Request-Id'?: components['parameters']['RequestId'];
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['BatchAddRequest'];
      };
    };
    responses: {
      /** @description Processed; see `details` for each URL. */
      201: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicy'];
          RateLimit: components['headers']['RateLimit'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['BatchAddResponse'];
        };
      };
      /** @description Validation error: malformed JSON, a body that cannot be read, a bad field (a NUL character included), a bad id format or a bad query parameter. */
      400: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicyOptional'];
          RateLimit: components['headers']['RateLimitOptional'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ValidationError'];
        };
      };
      /** @description No, malformed, unknown or revoked API key. Uses no rate-limit slot. */
      401: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'WWW-Authenticate': components['headers']['WwwAuthenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['MissingApiKeyError'] | components['schemas']['InvalidApiKeyError'];
        };
      };
      /** @description The key lacks the scope the route needs (uses no rate-limit slot), or the entry or job belongs to another team. */
      403: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['InsufficientScopeError'];
        };
      };
      /** @description The body is over 1 MiB, or holds more items than allowed. */
      413: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicy'];
          RateLimit: components['headers']['RateLimit'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PayloadTooLargeError'];
        };
      };
      /** @description The team’s budget for this operation class is spent. */
      429: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicy'];
          RateLimit: components['headers']['RateLimit'];
          'Retry-After': components['headers']['RetryAfter'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['RateLimitExceededError'];
        };
      };
      /** @description Something unexpected happened; it is logged with the request id. */
      500: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicyOptional'];
          RateLimit: components['headers']['RateLimitOptional'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['InternalError'];
        };
      };
      /** @description Postgres or Redis is unreachable; retry after `Retry-After` seconds. */
      503: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'Retry-After': components['headers']['RetryAfter'];
          'RateLimit-Policy': components['headers']['RateLimitPolicyOptional'];
          RateLimit: components['headers']['RateLimitOptional'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ServiceUnavailableError'];
        };
      };
    };
  };
  checkUrl: {
    parameters: {
      query: {
        /** @description The LinkedIn URL to look up, in any spelling the add route accepts */
        url: string;
      };
      header?: {
        /** @description Your id for the request (echoed back, logged and written to the audit trail); one is generated when absent or malformed. */
        'X-Request-Id'?: components['parameters']['RequestId'];
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Whether the URL is listed. */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicy'];
          RateLimit: components['headers']['RateLimit'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CheckResponse'];
        };
      };
      /** @description Validation error: malformed JSON, a body that cannot be read, a bad field (a NUL character included), a bad id format or a bad query parameter. */
      400: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicyOptional'];
          RateLimit: components['headers']['RateLimitOptional'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ValidationError'];
        };
      };
      /** @description No, malformed, unknown or revoked API key. Uses no rate-limit slot. */
      401: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'WWW-Authenticate': components['headers']['WwwAuthenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['MissingApiKeyError'] | components['schemas']['InvalidApiKeyError'];
        };
      };
      /** @description The key lacks the scope the route needs (uses no rate-limit slot), or the entry or job belongs to another team. */
      403: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['InsufficientScopeError'];
        };
      };
      /** @description The team’s budget for this operation class is spent. */
      429: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicy'];
          RateLimit: components['headers']['RateLimit'];
          'Retry-After': components['headers']['RetryAfter'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['RateLimitExceededError'];
        };
      };
      /** @description Something unexpected happened; it is logged with the request id. */
      500: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicyOptional'];
          RateLimit: components['headers']['RateLimitOptional'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['InternalError'];
        };
      };
      /** @description Postgres or Redis is unreachable; retry after `Retry-After` seconds. */
      503: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'Retry-After': components['headers']['RetryAfter'];
          'RateLimit-Policy': components['headers']['RateLimitPolicyOptional'];
          RateLimit: components['headers']['RateLimitOptional'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ServiceUnavailableError'];
        };
      };
    };
  };
  checkUrls: {
    parameters: {
      query?: never;
      header?: {
        /** @description Your id for the request (echoed back, logged and written to the audit trail); one is generated when absent or malformed. */
        'X-Request-Id'?: components['parameters']['RequestId'];
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['CheckUrlsRequest'];
      };
    };
    responses: {
      /** @description One result per URL sent. */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicy'];
          RateLimit: components['headers']['RateLimit'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CheckUrlsResponse'];
        };
      };
      /** @description Validation error: malformed JSON, a body that cannot be read, a bad field (a NUL character included), a bad id format or a bad query parameter. */
      400: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicyOptional'];
          RateLimit: components['headers']['RateLimitOptional'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ValidationError'];
        };
      };
      /** @description No, malformed, unknown or revoked API key. Uses no rate-limit slot. */
      401: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'WWW-Authenticate': components['headers']['WwwAuthenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['MissingApiKeyError'] | components['schemas']['InvalidApiKeyError'];
        };
      };
      /** @description The key lacks the scope the route needs (uses no rate-limit slot), or the entry or job belongs to another team. */
      403: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['InsufficientScopeError'];
        };
      };
      /** @description The body is over 1 MiB, or holds more items than allowed. */
      413: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicy'];
          RateLimit: components['headers']['RateLimit'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PayloadTooLargeError'];
        };
      };
      /** @description The team’s budget for this operation class is spent. */
      429: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicy'];
          RateLimit: components['headers']['RateLimit'];
          'Retry-After': components['headers']['RetryAfter'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['RateLimitExceededError'];
        };
      };
      /** @description Something unexpected happened; it is logged with the request id. */
      500: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicyOptional'];
          RateLimit: components['headers']['RateLimitOptional'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['InternalError'];
        };
      };
      /** @description Postgres or Redis is unreachable; retry after `Retry-After` seconds. */
      503: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'Retry-After': components['headers']['RetryAfter'];
          'RateLimit-Policy': components['headers']['RateLimitPolicyOptional'];
          RateLimit: components['headers']['RateLimitOptional'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ServiceUnavailableError'];
        };
      };
    };
  };
  deleteEntry: {
    parameters: {
      query?: {
        /** @description Why the entry is deleted, when no JSON body is sent */
        reason?: string;
      };
      header?: {
        /** @description `respond-async` queues the deletion as a one-item bulk job and answers 202 (RFC 7240). */
        Prefer?: string;
        /** @description Your id for the request (echoed back, logged and written to the audit trail); one is generated when absent or malformed. */
        'X-Request-Id'?: components['parameters']['RequestId'];
      };
      path: {
        /** @description An entry id */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': components['schemas']['DeleteEntryRequest'];
      };
    };
    responses: {
      /** @description Deleted. */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicy'];
          RateLimit: components['headers']['RateLimit'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['DeleteResponse'];
        };
      };
      /** @description Queued as a bulk job (`Prefer: respond-async`). */
      202: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicy'];
          RateLimit: components['headers']['RateLimit'];
          Location: components['headers']['Location'];
          'Retry-After': components['headers']['RetryAfter'];
          'Preference-Applied': components['headers']['PreferenceApplied'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['JobQueuedResponse'];
        };
      };
      /** @description Validation error: malformed JSON, a body that cannot be read, a bad field (a NUL character included), a bad id format or a bad query parameter. */
      400: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicyOptional'];
          RateLimit: components['headers']['RateLimitOptional'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ValidationError'];
        };
      };
      /** @description No, malformed, unknown or revoked API key. Uses no rate-limit slot. */
      401: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'WWW-Authenticate': components['headers']['WwwAuthenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['MissingApiKeyError'] | components['schemas']['InvalidApiKeyError'];
        };
      };
      /** @description The key lacks the scope the route needs (uses no rate-limit slot), or the entry or job belongs to another team. */
      403: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicyOptional'];
          RateLimit: components['headers']['RateLimitOptional'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['InsufficientScopeError'] | components['schemas']['ForbiddenError'];
        };
      };
      /** @description No such entry or job. */
      404: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicy'];
          RateLimit: components['headers']['RateLimit'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['NotFoundError'];
        };
      };
      /** @description The body is over 1 MiB, or holds more items than allowed. */
      413: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicy'];
          RateLimit: components['headers']['RateLimit'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PayloadTooLargeError'];
        };
      };
      /** @description The team’s budget for this operation class is spent. */
      429: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicy'];
          RateLimit: components['headers']['RateLimit'];
          'Retry-After': components['headers']['RetryAfter'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['RateLimitExceededError'];
        };
      };
      /** @description Something unexpected happened; it is logged with the request id. */
      500: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicyOptional'];
          RateLimit: components['headers']['RateLimitOptional'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['InternalError'];
        };
      };
      /** @description Postgres or Redis is unreachable; retry after `Retry-After` seconds. */
      503: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'Retry-After': components['headers']['RetryAfter'];
          'RateLimit-Policy': components['headers']['RateLimitPolicyOptional'];
          RateLimit: components['headers']['RateLimitOptional'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ServiceUnavailableError'];
        };
      };
    };
  };
  listAuditEvents: {
    parameters: {
      query?: {
        /** @description Page size */
        limit?: number;
        /** @description How many items to skip (0 when neither `offset` nor `cursor` is given). A page read by offset carries `total`; not with `cursor`. */
        offset?: number;
        /** @description Where the page starts: the `nextCursor` of the previous page, unchanged (opaque; valid only for the route, team and filters that produced it). A page read by cursor costs the same at any depth and carries no `total`; not with `offset`. */
        cursor?: string;
        /** @description Only events of this action */
        action?: 'dnc.entry.added' | 'dnc.entry.deleted' | 'dnc.bulk_delete.submitted' | 'dnc.bulk_delete.cancelled';
        /** @description Only events of this entry */
        entryId?: string;
        /** @description Only events of this bulk job */
        jobId?: string;
      };
      header?: {
        /** @description Your id for the request (echoed back, logged and written to the audit trail); one is generated when absent or malformed. */
        'X-Request-Id'?: components['parameters']['RequestId'];
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description One page of events. */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicy'];
          RateLimit: components['headers']['RateLimit'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['AuditEventListResponse'];
        };
      };
      /** @description Validation error: malformed JSON, a body that cannot be read, a bad field (a NUL character included), a bad id format or a bad query parameter. */
      400: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicyOptional'];
          RateLimit: components['headers']['RateLimitOptional'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ValidationError'];
        };
      };
      /** @description No, malformed, unknown or revoked API key. Uses no rate-limit slot. */
      401: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'WWW-Authenticate': components['headers']['WwwAuthenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['MissingApiKeyError'] | components['schemas']['InvalidApiKeyError'];
        };
      };
      /** @description The key lacks the scope the route needs (uses no rate-limit slot), or the entry or job belongs to another team. */
      403: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['InsufficientScopeError'];
        };
      };
      /** @description The team’s budget for this operation class is spent. */
      429: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicy'];
          RateLimit: components['headers']['RateLimit'];
          'Retry-After': components['headers']['RetryAfter'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['RateLimitExceededError'];
        };
      };
      /** @description Something unexpected happened; it is logged with the request id. */
      500: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicyOptional'];
          RateLimit: components['headers']['RateLimitOptional'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['InternalError'];
        };
      };
      /** @description Postgres or Redis is unreachable; retry after `Retry-After` seconds. */
      503: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'Retry-After': components['headers']['RetryAfter'];
          'RateLimit-Policy': components['headers']['RateLimitPolicyOptional'];
          RateLimit: components['headers']['RateLimitOptional'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ServiceUnavailableError'];
        };
      };
    };
  };
  submitBulkDeletion: {
    parameters: {
      query?: never;
      header?: {
        /** @description Makes the submission safe to retry: the same key with the same body within 24 h returns the same job (200); with a different body → 422 */
        'Idempotency-Key'?: string;
        /** @description Your id for the request (echoed back, logged and written to the audit trail); one is generated when absent or malformed. */
        'X-Request-Id'?: components['parameters']['RequestId'];
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['BulkDeleteRequest'];
      };
    };
    responses: {
      /** @description The job an earlier request with the same Idempotency-Key created. */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicy'];
          RateLimit: components['headers']['RateLimit'];
          Location: components['headers']['Location'];
          'Retry-After': components['headers']['RetryAfterOptional'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['JobQueuedResponse'];
        };
      };
      /** @description Queued. */
      202: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicy'];
          RateLimit: components['headers']['RateLimit'];
          Location: components['headers']['Location'];
          'Retry-After': components['headers']['RetryAfter'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['JobQueuedResponse'];
        };
      };
      /** @description Validation error: malformed JSON, a body that cannot be read, a bad field (a NUL character included), a bad id format or a bad query parameter. */
      400: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicyOptional'];
          RateLimit: components['headers']['RateLimitOptional'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ValidationError'];
        };
      };
      /** @description No, malformed, unknown or revoked API key. Uses no rate-limit slot. */
      401: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'WWW-Authenticate': components['headers']['WwwAuthenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['MissingApiKeyError'] | components['schemas']['InvalidApiKeyError'];
        };
      };
      /** @description The key lacks the scope the route needs (uses no rate-limit slot), or the entry or job belongs to another team. */
      403: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['InsufficientScopeError'];
        };
      };
      /** @description Conflict. */
      409: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicy'];
          RateLimit: components['headers']['RateLimit'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['IdempotencyKeyInUseError'];
        };
      };
      /** @description The body is over 1 MiB, or holds more items than allowed. */
      413: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicy'];
          RateLimit: components['headers']['RateLimit'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PayloadTooLargeError'];
        };
      };
      /** @description The Idempotency-Key was used before with a different body. */
      422: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicy'];
          RateLimit: components['headers']['RateLimit'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['IdempotencyKeyReusedError'];
        };
      };
      /** @description The team’s budget for this operation class is spent. */
      429: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicy'];
          RateLimit: components['headers']['RateLimit'];
          'Retry-After': components['headers']['RetryAfter'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['RateLimitExceededError'];
        };
      };
      /** @description Something unexpected happened; it is logged with the request id. */
      500: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicyOptional'];
          RateLimit: components['headers']['RateLimitOptional'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['InternalError'];
        };
      };
      /** @description Postgres or Redis is unreachable; retry after `Retry-After` seconds. */
      503: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'Retry-After': components['headers']['RetryAfter'];
          'RateLimit-Policy': components['headers']['RateLimitPolicyOptional'];
          RateLimit: components['headers']['RateLimitOptional'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ServiceUnavailableError'];
        };
      };
    };
  };
  getBulkJob: {
    parameters: {
      query?: never;
      header?: {
        /** @description Your id for the request (echoed back, logged and written to the audit trail); one is generated when absent or malformed. */
        'X-Request-Id'?: components['parameters']['RequestId'];
      };
      path: {
        /** @description A bulk deletion job id */
        jobId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The job. */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicy'];
          RateLimit: components['headers']['RateLimit'];
          'Retry-After': components['headers']['RetryAfterOptional'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['JobResponse'];
        };
      };
      /** @description Validation error: malformed JSON, a body that cannot be read, a bad field (a NUL character included), a bad id format or a bad query parameter. */
      400: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicyOptional'];
          RateLimit: components['headers']['RateLimitOptional'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ValidationError'];
        };
      };
      /** @description No, malformed, unknown or revoked API key. Uses no rate-limit slot. */
      401: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'WWW-Authenticate': components['headers']['WwwAuthenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['MissingApiKeyError'] | components['schemas']['InvalidApiKeyError'];
        };
      };
      /** @description The key lacks the scope the route needs (uses no rate-limit slot), or the entry or job belongs to another team. */
      403: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicyOptional'];
          RateLimit: components['headers']['RateLimitOptional'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['InsufficientScopeError'] | components['schemas']['ForbiddenError'];
        };
      };
      /** @description No such entry or job. */
      404: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicy'];
          RateLimit: components['headers']['RateLimit'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['NotFoundError'];
        };
      };
      /** @description The team’s budget for this operation class is spent. */
      429: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicy'];
          RateLimit: components['headers']['RateLimit'];
          'Retry-After': components['headers']['RetryAfter'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['RateLimitExceededError'];
        };
      };
      /** @description Something unexpected happened; it is logged with the request id. */
      500: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicyOptional'];
          RateLimit: components['headers']['RateLimitOptional'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['InternalError'];
        };
      };
      /** @description Postgres or Redis is unreachable; retry after `Retry-After` seconds. */
      503: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'Retry-After': components['headers']['RetryAfter'];
          'RateLimit-Policy': components['headers']['RateLimitPolicyOptional'];
          RateLimit: components['headers']['RateLimitOptional'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ServiceUnavailableError'];
        };
      };
    };
  };
  listBulkJobItems: {
    parameters: {
      query?: {
        /** @description Page size */
        limit?: number;
        /** @description How many items to skip (0 when neither `offset` nor `cursor` is given). A page read by offset carries `total`; not with `cursor`. */
        offset?: number;
        /** @description Where the page starts: the `nextCursor` of the previous page, unchanged (opaque; valid only for the route, team and filters that produced it). A page read by cursor costs the same at any depth and carries no `total`; not with `offset`. */
        cursor?: string;
        /** @description Only items with this status */
        status?: 'pending' | 'deleted' | 'not_found' | 'forbidden' | 'failed' | 'cancelled';
      };
      header?: {
        /** @description Your id for the request (echoed back, logged and written to the audit trail); one is generated when absent or malformed. */
        'X-Request-Id'?: components['parameters']['RequestId'];
      };
      path: {
        /** @description A bulk deletion job id */
        jobId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description One page of items. */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicy'];
          RateLimit: components['headers']['RateLimit'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['JobItemListResponse'];
        };
      };
      /** @description Validation error: malformed JSON, a body that cannot be read, a bad field (a NUL character included), a bad id format or a bad query parameter. */
      400: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicyOptional'];
          RateLimit: components['headers']['RateLimitOptional'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ValidationError'];
        };
      };
      /** @description No, malformed, unknown or revoked API key. Uses no rate-limit slot. */
      401: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'WWW-Authenticate': components['headers']['WwwAuthenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['MissingApiKeyError'] | components['schemas']['InvalidApiKeyError'];
        };
      };
      /** @description The key lacks the scope the route needs (uses no rate-limit slot), or the entry or job belongs to another team. */
      403: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicyOptional'];
          RateLimit: components['headers']['RateLimitOptional'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['InsufficientScopeError'] | components['schemas']['ForbiddenError'];
        };
      };
      /** @description No such entry or job. */
      404: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicy'];
          RateLimit: components['headers']['RateLimit'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['NotFoundError'];
        };
      };
      /** @description The team’s budget for this operation class is spent. */
      429: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicy'];
          RateLimit: components['headers']['RateLimit'];
          'Retry-After': components['headers']['RetryAfter'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['RateLimitExceededError'];
        };
      };
      /** @description Something unexpected happened; it is logged with the request id. */
      500: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicyOptional'];
          RateLimit: components['headers']['RateLimitOptional'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['InternalError'];
        };
      };
      /** @description Postgres or Redis is unreachable; retry after `Retry-After` seconds. */
      503: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'Retry-After': components['headers']['RetryAfter'];
          'RateLimit-Policy': components['headers']['RateLimitPolicyOptional'];
          RateLimit: components['headers']['RateLimitOptional'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ServiceUnavailableError'];
        };
      };
    };
  };
  cancelBulkJob: {
    parameters: {
      query?: never;
      header?: {
        /** @description Your id for the request (echoed back, logged and written to the audit trail); one is generated when absent or malformed. */
        'X-Request-Id'?: components['parameters']['RequestId'];
      };
      path: {
        /** @description A bulk deletion job id */
        jobId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The job after cancelling. */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicy'];
          RateLimit: components['headers']['RateLimit'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['JobResponse'];
        };
      };
      /** @description Validation error: malformed JSON, a body that cannot be read, a bad field (a NUL character included), a bad id format or a bad query parameter. */
      400: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicyOptional'];
          RateLimit: components['headers']['RateLimitOptional'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ValidationError'];
        };
      };
      /** @description No, malformed, unknown or revoked API key. Uses no rate-limit slot. */
      401: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'WWW-Authenticate': components['headers']['WwwAuthenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['MissingApiKeyError'] | components['schemas']['InvalidApiKeyError'];
        };
      };
      /** @description The key lacks the scope the route needs (uses no rate-limit slot), or the entry or job belongs to another team. */
      403: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicyOptional'];
          RateLimit: components['headers']['RateLimitOptional'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['InsufficientScopeError'] | components['schemas']['ForbiddenError'];
        };
      };
      /** @description No such entry or job. */
      404: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicy'];
          RateLimit: components['headers']['RateLimit'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['NotFoundError'];
        };
      };
      /** @description The team’s budget for this operation class is spent. */
      429: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicy'];
          RateLimit: components['headers']['RateLimit'];
          'Retry-After': components['headers']['RetryAfter'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['RateLimitExceededError'];
        };
      };
      /** @description Something unexpected happened; it is logged with the request id. */
      500: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'RateLimit-Policy': components['headers']['RateLimitPolicyOptional'];
          RateLimit: components['headers']['RateLimitOptional'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['InternalError'];
        };
      };
      /** @description Postgres or Redis is unreachable; retry after `Retry-After` seconds. */
      503: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'Retry-After': components['headers']['RetryAfter'];
          'RateLimit-Policy': components['headers']['RateLimitPolicyOptional'];
          RateLimit: components['headers']['RateLimitOptional'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ServiceUnavailableError'];
        };
      };
    };
  };
  health: {
    parameters: {
      query?: never;
      header?: {
        /** @description Your id for the request (echoed back, logged and written to the audit trail); one is generated when absent or malformed. */
        'X-Request-Id'?: components['parameters']['RequestId'];
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The process is up. */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Health'];
        };
      };
    };
  };
  readiness: {
    parameters: {
      query?: never;
      header?: {
        /** @description Your id for the request (echoed back, logged and written to the audit trail); one is generated when absent or malformed. */
        'X-Request-Id'?: components['parameters']['RequestId'];
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Postgres and Redis answer. */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Readiness'];
        };
      };
      /** @description Postgres or Redis does not answer. */
      503: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Readiness'];
        };
      };
    };
  };
  metrics: {
    parameters: {
      query?: never;
      header?: {
        /** @description Your id for the request (echoed back, logged and written to the audit trail); one is generated when absent or malformed. */
        'X-Request-Id'?: components['parameters']['RequestId'];
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Metrics in the Prometheus text exposition format. */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Something unexpected happened; it is logged with the request id. */
      500: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['InternalError'];
        };
      };
      /** @description Postgres or Redis is unreachable; retry after `Retry-After` seconds. */
      503: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'Retry-After': components['headers']['RetryAfter'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ServiceUnavailableError'];
        };
      };
    };
  };
  adminQueues: {
    parameters: {
      query?: never;
      header?: {
        /** @description Your id for the request (echoed back, logged and written to the audit trail); one is generated when absent or malformed. */
        'X-Request-Id'?: components['parameters']['RequestId'];
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The dashboard (an HTML application; its own assets and JSON calls live under this path). */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
      /** @description No, malformed, unknown or revoked API key. Uses no rate-limit slot. */
      401: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'WWW-Authenticate': components['headers']['AdminChallenge'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['MissingApiKeyError'] | components['schemas']['InvalidApiKeyError'];
        };
      };
      /** @description No such entry or job. */
      404: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['NotFoundError'];
        };
      };
    };
  };
  openapi: {
    parameters: {
      query?: never;
      header?: {
        /** @description Your id for the request (echoed back, logged and written to the audit trail); one is generated when absent or malformed. */
        'X-Request-Id'?: components['parameters']['RequestId'];
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The OpenAPI 3.1 document. */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            openapi: string;
            info: Record<string, never>;
            servers?: Record<string, never>[];
            tags?: Record<string, never>[];
            paths: Record<string, never>;
            components?: Record<string, never>;
          };
        };
      };
    };
  };
  docs: {
    parameters: {
      query?: never;
      header?: {
        /** @description Your id for the request (echoed back, logged and written to the audit trail); one is generated when absent or malformed. */
        'X-Request-Id'?: components['parameters']['RequestId'];
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description An HTML page that renders this document. */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'Content-Security-Policy': components['headers']['ContentSecurityPolicy'];
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
    };
  };
  docsBundle: {
    parameters: {
      query?: never;
      header?: {
        /** @description Your id for the request (echoed back, logged and written to the audit trail); one is generated when absent or malformed. */
        'X-Request-Id'?: components['parameters']['RequestId'];
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The script. */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'Content-Security-Policy': components['headers']['ContentSecurityPolicy'];
          [name: string]: unknown;
        };
        content: {
          'text/javascript': string;
        };
      };
      /** @description Something unexpected happened; it is logged with the request id. */
      500: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['InternalError'];
        };
      };
    };
  };
  docsInit: {
    parameters: {
      query?: never;
      header?: {
        /** @description Your id for the request (echoed back, logged and written to the audit trail); one is generated when absent or malformed. */
        'X-Request-Id'?: components['parameters']['RequestId'];
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The script. */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          'Content-Security-Policy': components['headers']['ContentSecurityPolicy'];
          [name: string]: unknown;
        };
        content: {
          'text/javascript': string;
        };
      };
      /** @description Something unexpected happened; it is logged with the request id. */
      500: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['InternalError'];
        };
      };
    };
  };
}

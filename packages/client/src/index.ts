// @dnc/client — a typed client for the DNC API. See README.md.
export * from './client.js';
export * from './errors.js';
export * from './paging.js';
export * from './types.js';

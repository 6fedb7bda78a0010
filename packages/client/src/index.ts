// @dnc/client — a typed client for the DNC API. See README.md.
export * from './client';
export * from './errors';
export * from './types';

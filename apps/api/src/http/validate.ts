import { AppError } from '@dnc/shared';
import type { z } from 'zod';

/** Parses with a zod schema or throws a validation_error listing every problem. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, location: 'body' | 'query' | 'params' | 'headers'): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((issue) => ({
    path: [location, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  throw AppError.validation(details, `Invalid request ${location}: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`);
}

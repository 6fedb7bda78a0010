import { AppError, type ValidationDetail } from '@dnc/shared';
import { z } from 'zod';

export type InputLocation = 'body' | 'query' | 'params' | 'headers';

const NUL = '\u0000';
const NUL_MESSAGE = 'must not contain NUL characters (U+0000)';

/** Keeps a NUL in a key readable in `details[].path`. */
const printableKey = (key: string) => key.replaceAll(NUL, '\\u0000');

/** Enough to name the problem; a body full of NULs need not be listed in full. */
const MAX_NUL_DETAILS = 10;

interface Visit {
  value: unknown;
  key: string;
  parent: number;
}

/**
 * Every string (value or key) in the input that holds a NUL, as validation details. Postgres
 * cannot store U+0000 in text, so such input must be refused before it reaches the database;
 * checking the raw input covers fields the schema would strip as well as those it keeps.
 * Breadth-first without recursion and with paths built only for a hit, so a deeply nested
 * JSON body can neither overflow the stack nor cost more than linear time.
 */
function nulDetails(input: unknown, location: InputLocation): ValidationDetail[] {
  const details: ValidationDetail[] = [];
  const visits: Visit[] = [{ value: input, key: location, parent: -1 }];
  const pathOf = (index: number, extra?: string) => {
    const keys = extra === undefined ? [] : [extra];
    for (let at = index; at !== -1; at = visits[at]!.parent) keys.push(visits[at]!.key);
    return keys.reverse().join('.');
  };
  for (let index = 0; index < visits.length && details.length < MAX_NUL_DETAILS; index++) {
    const { value } = visits[index]!;
    if (typeof value === 'string') {
      if (value.includes(NUL)) details.push({ path: pathOf(index), message: NUL_MESSAGE });
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        if (key.includes(NUL)) details.push({ path: pathOf(index, printableKey(key)), message: NUL_MESSAGE });
        else visits.push({ value: child, key, parent: index });
      }
    }
  }
  return details.slice(0, MAX_NUL_DETAILS);
}

/**
 * True when a flat object of strings (path parameters, a query string, headers: the input of most
 * requests) holds no NUL, decided without building anything; false for any other input, which
 * `nulDetails` then walks.
 */
function isFlatAndNulFree(input: unknown): boolean {
  if (input === undefined) return true;
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return false;
  const record = input as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (key.includes(NUL) || (typeof value === 'string' ? value.includes(NUL) : value !== undefined)) return false;
  }
  return true;
}

/**
 * Parses with a zod schema or throws a validation_error listing every problem. This is the one
 * place request input (body, query, path parameters, headers) is validated, so it is also where
 * input no route may accept (a NUL character anywhere) is refused.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, location: InputLocation): z.output<S> {
  const nul = isFlatAndNulFree(input) ? [] : nulDetails(input, location);
  const parsed = schema.safeParse(input);
  if (parsed.success && nul.length === 0) return parsed.data;
  const issues = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({
        path: [location, ...issue.path.map(String)].join('.'),
        message: issue.message,
      }));
  const details = [...nul, ...issues];
  throw AppError.validation(details, `Invalid request ${location}: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`);
}

/** For routes that take no query parameters: whatever is sent is ignored, but must still be valid input. */
export const noQueryParameters = z.object({});

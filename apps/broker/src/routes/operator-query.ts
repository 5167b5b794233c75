import type { MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { invalidRequest } from '../errors.js';
import type { BrokerEnv } from '../http/env.js';
import { InvalidCursorError } from '../store/index.js';

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 100;

/**
 * The query string of an operator read as single values. A repeated or unknown parameter is refused:
 * a mistyped filter (`?principle=`) silently ignored would answer with everything.
 */
export function readQuery<K extends string>(url: string, allowed: readonly K[]): Partial<Record<K, string>> {
  const params = new URL(url).searchParams;
  const query: Partial<Record<K, string>> = {};
  for (const name of new Set(params.keys())) {
    if (!(allowed as readonly string[]).includes(name))
      throw invalidRequest(`unknown query parameter ${name}`);
    const values = params.getAll(name);
    if (values.length > 1) throw invalidRequest(`${name} must not be repeated`);
    query[name as K] = values[0] as string;
  }
  return query;
}

export const limitSchema = z
  .string()
  .regex(/^\d{1,3}$/, 'limit must be an integer from 1 to 100')
  .transform(Number)
  .pipe(z.number().int().min(1, 'limit must be at least 1').max(MAX_PAGE_LIMIT, 'limit must be at most 100'))
  .default(DEFAULT_PAGE_LIMIT);

// Cursors are opaque to clients; this only keeps junk away from the store.
export const cursorSchema = z
  .string()
  .regex(/^[\x21-\x7e]{1,256}$/, 'cursor is not one this API returned')
  .optional();

export const principalSchema = z.string().min(1).max(512).optional();

/** An instant as ISO-8601 (`2025-01-31T12:00:00Z`) or epoch milliseconds, to epoch ms. */
export const instantSchema = z
  .string()
  .transform((text, ctx) => {
    const ms = parseInstant(text);
    // The audit trail starts at the epoch: an earlier instant can only be a mistake (or a probe).
    if (ms === undefined || ms < 0) {
      ctx.issues.push({
        code: 'custom',
        message: 'must be ISO-8601 or epoch milliseconds, not before 1970',
        input: text,
      });
      return z.NEVER;
    }
    return ms;
  })
  .optional();

// A date-time must carry its offset: without one, Date.parse would read it in the server's zone.
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

function parseInstant(text: string): number | undefined {
  if (/^\d{1,15}$/.test(text)) return Number(text);
  if (!ISO_8601.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

/** zod result → value, or 400 invalid_request naming the first bad parameter. */
export function parseQuery<T>(schema: z.ZodType<T>, query: unknown): T {
  const parsed = schema.safeParse(query);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const name = issue?.path[0];
  throw invalidRequest(`${typeof name === 'string' ? `${name}: ` : ''}${issue?.message ?? 'bad query'}`);
}

/** Runs a paged store read; a cursor the store did not issue is the client's error, not ours. */
export async function readPage<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof InvalidCursorError)
      throw invalidRequest('cursor: cursor is not one this API returned');
    throw err;
  }
}

/**
 * Who read what: a named log line per operator read. Reads change nothing, so they stay out of
 * the bounded audit stream, whose room is kept for decisions and actions.
 */
export const logOperatorRead: MiddlewareHandler<BrokerEnv> = async (c, next) => {
  await next();
  c.get('log').info(
    {
      operator_key_id: c.get('operator')?.keyId,
      path: c.req.path,
      query: new URL(c.req.url).search,
      status: c.res.status,
    },
    'operator.read',
  );
};

import type { Context } from 'hono';
import { invalidRequest } from '../errors.js';

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

function mediaType(c: Context): string | undefined {
  return c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase();
}

/** A form-encoded body (the OAuth endpoints: RFC 6749 §3.2, RFC 7009 §2.1, RFC 7662 §2.1). */
export async function readFormBody(c: Context): Promise<URLSearchParams> {
  if (mediaType(c) !== FORM) throw invalidRequest(`the body must be ${FORM}`);
  return new URLSearchParams(await c.req.text());
}

/** A JSON body (the /v1 API); its shape is the caller's zod schema's business. */
export async function readJsonBody(c: Context): Promise<unknown> {
  if (mediaType(c) !== JSON_TYPE) throw invalidRequest(`the body must be ${JSON_TYPE}`);
  const text = await c.req.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalidRequest('the body is not valid JSON');
  }
}

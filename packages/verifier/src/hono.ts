import type { WritClaims } from '@writ/claims';
import type { Context, MiddlewareHandler } from 'hono';
import type { Verifier } from './create-verifier.js';
import { decide, type GuardOptions } from './decide.js';

export type { GuardOptions } from './decide.js';

/** Context variables the middleware sets: `c.get('writ')`, `c.get('writToken')`. */
export type WritVariables = { writ: WritClaims; writToken: string };

/**
 * Hono middleware: refuses the request unless it carries a live writ for this API (and, with
 * `tool`, one whose plan covers the tool; with `online`, one the broker authorizes). Refusals
 * are RFC 6750 answers: 401 + `WWW-Authenticate: Bearer error="invalid_token"`, 403
 * `insufficient_scope`, 503 + `Retry-After` when the answer is unknown.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { writ, type WritVariables } from '@writ/verifier/hono';
 *
 * const app = new Hono<{ Variables: WritVariables }>();
 * app.get('/issues', writ(verifier, { tool: 'jira.read' }), (c) => c.json({ task: c.get('writ').task.id }));
 * ```
 */
export function writ(
  verifier: Verifier,
  options: GuardOptions<Context> = {},
): MiddlewareHandler<{ Variables: WritVariables }> {
  return async (c, next) => {
    const decision = await decide(verifier, c.req.header('authorization'), c as Context, options);
    if (!decision.ok) {
      for (const [name, value] of Object.entries(decision.headers)) c.header(name, value);
      return c.json(decision.body, decision.status);
    }
    c.set('writ', decision.writ);
    c.set('writToken', decision.token);
    await next();
  };
}

import type { Verifier } from './create-verifier.js';
import { decide, type GuardOptions, type WritDecision } from './decide.js';

export type { GuardOptions, WritDecision } from './decide.js';

/**
 * A guard for Fetch-API servers (Deno, Bun, workers, Next.js route handlers, node's fetch
 * adapters): `(Request) => Promise<WritDecision>`. On a refusal, `toResponse(decision)` is the
 * RFC 6750 answer to send.
 *
 * @example
 * ```ts
 * import { createWritGuard, toResponse } from '@writ/verifier/fetch';
 *
 * const guard = createWritGuard(verifier, { tool: 'jira.read' });
 * export async function handle(request: Request): Promise<Response> {
 *   const decision = await guard(request);
 *   if (!decision.ok) return toResponse(decision);
 *   return Response.json({ task: decision.writ.task.id });
 * }
 * ```
 */
export function createWritGuard(
  verifier: Verifier,
  options: GuardOptions<Request> = {},
): (request: Request) => Promise<WritDecision> {
  return (request) => decide(verifier, request.headers.get('authorization'), request, options);
}

/**
 * The HTTP answer for a refused decision: status, RFC 6750 `WWW-Authenticate` (or `Retry-After`
 * on 503) and an OAuth error body.
 *
 * @example
 * ```ts
 * if (!decision.ok) return toResponse(decision); // 401 + WWW-Authenticate: Bearer error="invalid_token", …
 * ```
 */
export function toResponse(decision: Exclude<WritDecision, { ok: true }>): Response {
  return Response.json(decision.body, { status: decision.status, headers: decision.headers });
}

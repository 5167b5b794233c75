import { dataClassSchema, formatIssues, resourceIdSchema, toolNameSchema } from '@writ/claims';
import type { Hono } from 'hono';
import { z } from 'zod';
import { invalidRequest, OAuthError } from '../errors.js';
import type { BrokerEnv } from '../http/env.js';
import { peerAddressOf } from '../http/peer-address.js';
import { readJsonBody } from '../http/read-body.js';
import { authorizeToolCall } from '../runtime/authorize-tool-call.js';
import type { RuntimeDeps } from '../runtime/runtime-deps.js';

const MAX_WRIT_CHARS = 16 * 1024;

const authorizeBodySchema = z.strictObject({
  writ: z.string().min(1).max(MAX_WRIT_CHARS),
  tool: toolNameSchema,
  resource: resourceIdSchema.optional(),
  data_class: dataClassSchema.optional(),
  audience: z.string().min(1).max(1024).optional(),
});

/**
 * POST /v1/authorize — "may this writ call tool T on resource R now?" (docs/runtime.md).
 * No operator key: the caller is the downstream the writ was issued for, and the writ in the
 * body is the credential being judged; the answer only ever narrows what the writ already
 * grants. A caller that names its `audience` gets a deny for a writ minted for someone else.
 */
export function registerAuthorizeRoute(app: Hono<BrokerEnv>, deps: RuntimeDeps) {
  app.post('/v1/authorize', async (c) => {
    const raw = await readJsonBody(c);
    const parsed = authorizeBodySchema.safeParse(raw);
    if (!parsed.success) throw invalidRequest(formatIssues(parsed.error).join('; ').slice(0, 300));
    const body = parsed.data;

    const result = await authorizeToolCall(deps, {
      writ: body.writ,
      tool: body.tool,
      ...(body.resource !== undefined ? { resource: body.resource } : {}),
      ...(body.data_class !== undefined ? { data_class: body.data_class } : {}),
      ...(body.audience !== undefined ? { audience: body.audience } : {}),
      requestId: c.get('requestId'),
      peer: peerAddressOf(c),
    });
    c.header('Cache-Control', 'no-store');
    switch (result.outcome) {
      case 'allow':
        return c.json({ decision: 'allow', reasons: [], budget_left: result.budget_left });
      case 'deny':
        return c.json(
          {
            error: 'access_denied',
            error_description: result.reasons.includes('task_quarantined')
              ? `the action is outside the writ's plan and its task has been quarantined: every writ of it and of its sub-tasks is now dead (${result.reasons.join(', ')})`
              : `the writ does not allow this action (${result.reasons.join(', ')})`,
            decision: 'deny',
            reasons: result.reasons,
            ...(result.budget_left ? { budget_left: result.budget_left } : {}),
          },
          403,
        );
      case 'invalid_token':
        // RFC 6750 §3.1: expired, revoked, malformed or otherwise invalid → invalid_token.
        throw new OAuthError(
          401,
          'invalid_token',
          result.ended
            ? `the writ is no longer live: its task was ${result.ended}`
            : 'the writ is not valid or no longer live',
          { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
          result.ended ? `task_${result.ended}` : undefined,
        );
    }
  });
}

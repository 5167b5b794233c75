import type { Hono } from 'hono';
import type { BrokerEnv } from '../http/env.js';
import { completeTask } from '../revocation/complete-task.js';
import type { RevocationDeps } from '../revocation/revocation-deps.js';

/** RFC 6750 §2.1: `Authorization: Bearer <token>`, the scheme case-insensitive. */
function readBearer(header: string | undefined): string | undefined {
  const match = /^Bearer +([^\s]+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * POST /v1/tasks/{id}/complete — the agent ends its task with a writ of that task; the task and
 * every descendant are revoked at once (docs/architecture.md §5, flow 5). Repeating it answers the same 200.
 */
export function registerTaskCompleteRoute(app: Hono<BrokerEnv>, deps: RevocationDeps) {
  app.post('/v1/tasks/:id/complete', async (c) => {
    const result = await completeTask(deps, {
      token: readBearer(c.req.header('authorization')),
      taskId: c.req.param('id'),
      requestId: c.get('requestId'),
    });
    c.header('Cache-Control', 'no-store');
    return c.json(result);
  });
}

import { taskIdSchema } from '@writ/claims';
import type { Hono } from 'hono';
import { z } from 'zod';
import { invalidRequest } from '../errors.js';
import type { BrokerEnv } from '../http/env.js';
import { requireOperator } from '../http/require-operator.js';
import {
  cursorSchema,
  instantSchema,
  limitSchema,
  logOperatorRead,
  parseQuery,
  principalSchema,
  readPage,
  readQuery,
} from './operator-query.js';
import type { OperatorReadDeps } from './tasks.js';

const auditSchema = z.object({
  task: taskIdSchema.optional(),
  principal: principalSchema,
  decision: z.enum(['allow', 'deny', 'info']).optional(),
  from: instantSchema,
  to: instantSchema,
  cursor: cursorSchema,
  limit: limitSchema,
});

const PARAMS = ['task', 'principal', 'decision', 'from', 'to', 'cursor', 'limit'] as const;

/** GET /v1/audit — the audit trail, newest first, filtered and paginated (role `read`). */
export function registerAuditRoutes(
  app: Hono<BrokerEnv>,
  deps: Pick<OperatorReadDeps, 'store' | 'operators'>,
) {
  app.get('/v1/audit', requireOperator(deps.operators, 'read'), logOperatorRead, async (c) => {
    const query = parseQuery(auditSchema, readQuery(c.req.url, PARAMS));
    if (query.from !== undefined && query.to !== undefined && query.from > query.to) {
      throw invalidRequest('from must not be after to');
    }
    const page = await readPage(() =>
      deps.store.queryAudit({
        ...(query.task !== undefined ? { task_id: query.task } : {}),
        ...(query.principal !== undefined ? { principal: query.principal } : {}),
        ...(query.decision !== undefined ? { decision: query.decision } : {}),
        ...(query.from !== undefined ? { from: query.from } : {}),
        ...(query.to !== undefined ? { to: query.to } : {}),
        ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
        limit: query.limit,
      }),
    );
    return c.json({ events: page.items, next_cursor: page.next_cursor ?? null });
  });
}

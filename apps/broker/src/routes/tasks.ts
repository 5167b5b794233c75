import { taskIdSchema } from '@writ/claims';
import type { Hono } from 'hono';
import { z } from 'zod';
import { listTaskSummaries } from '../audit/task-list.js';
import { EFFECTIVE_TASK_STATUSES } from '../audit/task-status.js';
import { buildTaskView } from '../audit/task-view.js';
import { OAuthError } from '../errors.js';
import type { BrokerEnv } from '../http/env.js';
import { requireOperator } from '../http/require-operator.js';
import type { OperatorAuthenticator } from '../operators/operator-authenticator.js';
import type { Clock } from '../shared/clock.js';
import { definedOnly } from '../shared/defined.js';
import type { WritStore } from '../store/index.js';
import {
  cursorSchema,
  limitSchema,
  logOperatorRead,
  parseQuery,
  principalSchema,
  readPage,
  readQuery,
} from './operator-query.js';

export interface OperatorReadDeps {
  store: WritStore;
  clock: Clock;
  operators: OperatorAuthenticator;
}

const listSchema = z.object({
  principal: principalSchema,
  status: z.enum(EFFECTIVE_TASK_STATUSES).optional(),
  cursor: cursorSchema,
  limit: limitSchema,
});

const noSuchTask = () => new OAuthError(404, 'invalid_request', 'no such task');

/** GET /v1/tasks and GET /v1/tasks/{id} — operator reads (role `read`). */
export function registerTaskRoutes(app: Hono<BrokerEnv>, deps: OperatorReadDeps) {
  const read = requireOperator(deps.operators, 'read');

  app.get('/v1/tasks', read, logOperatorRead, async (c) => {
    const query = parseQuery(listSchema, readQuery(c.req.url, ['principal', 'status', 'cursor', 'limit']));
    const result = await readPage(() =>
      listTaskSummaries(deps.store, { ...definedOnly(query), nowSeconds: deps.clock.nowSeconds() }),
    );
    return c.json({ tasks: result.tasks, next_cursor: result.next_cursor ?? null });
  });

  app.get('/v1/tasks/:id', read, logOperatorRead, async (c) => {
    readQuery(c.req.url, []);
    const id = taskIdSchema.safeParse(c.req.param('id'));
    // A malformed id can name no task: the same 404 as an unknown one.
    if (!id.success) throw noSuchTask();
    const view = await buildTaskView(deps.store, id.data, deps.clock.nowSeconds());
    if (!view) throw noSuchTask();
    return c.json(view);
  });
}

import type { WritClaims } from '@writ/claims';
import type { AuditEvent } from '../audit/audit-event.js';
import { writFacts } from '../audit/writ-facts.js';
import { livenessInputOf } from '../runtime/liveness-input.js';
import type { EndedTaskStatus, LivenessReason, TaskStatus } from '../store/index.js';
import { confirmRevocation, unlessStoreFails } from './confirm-revocation.js';
import type { RevocationDeps } from './revocation-deps.js';

export interface EndTaskOfWritInput {
  /** A writ that verified (signature, typ, iss, time). */
  claims: WritClaims;
  status: Extract<EndedTaskStatus, 'completed' | 'revoked'>;
  reason: string;
  requestId: string;
}

export type EndTaskOfWritResult =
  /** `changed` false: the task had already ended (idempotent); `status` is how it ended. */
  | { outcome: 'ended'; task_id: string; status: TaskStatus; changed: boolean }
  | { outcome: 'task_unknown' }
  /** The writ itself is revoked (by jti or generation): it may no longer act for the task. */
  | { outcome: 'writ_not_live'; reason: LivenessReason };

const WRIT_REVOKED: ReadonlySet<LivenessReason> = new Set([
  'writ_unknown',
  'writ_revoked',
  'revoked_by_generation',
]);

/**
 * The agent ends its own task (docs/architecture.md §5, flow 5): the task is revoked in the given status and every
 * descendant with it, since each descendant writ carries this task in `task.chain`. A task whose
 * ancestor already ended may still be ended; a writ revoked in its own right may not.
 */
export async function endTaskOfWrit(
  deps: Pick<RevocationDeps, 'store' | 'audit' | 'clock'>,
  input: EndTaskOfWritInput,
): Promise<EndTaskOfWritResult> {
  const { claims } = input;
  const taskId = claims.task.id;
  const task = await unlessStoreFails(() => deps.store.getTask(taskId));
  if (!task) return { outcome: 'task_unknown' };
  if (task.status !== 'live')
    return { outcome: 'ended', task_id: taskId, status: task.status, changed: false };
  const liveness = await unlessStoreFails(() => deps.store.checkWritLive(livenessInputOf(claims)));
  if (!liveness.live && WRIT_REVOKED.has(liveness.reason))
    return { outcome: 'writ_not_live', reason: liveness.reason };

  const event: AuditEvent = {
    type: `task.${input.status}`,
    time: deps.clock.nowMs(),
    request_id: input.requestId,
    decision: 'info',
    reasons: [input.reason],
    ...writFacts(claims),
  };
  const result = await confirmRevocation(deps, {
    target: { kind: 'task', task_id: taskId },
    status: input.status,
    reason: input.reason,
    audit: event,
  });
  if (result.changed) return { outcome: 'ended', task_id: taskId, status: input.status, changed: true };
  // It ended between our read and the revocation: report how.
  const now = await unlessStoreFails(() => deps.store.getTask(taskId));
  return { outcome: 'ended', task_id: taskId, status: now?.status ?? input.status, changed: false };
}

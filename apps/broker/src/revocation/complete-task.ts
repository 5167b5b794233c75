import type { WritClaims } from '@writ/claims';
import type { AuditEvent } from '../audit/audit-event.js';
import { writFacts } from '../audit/writ-facts.js';
import { OAuthError } from '../errors.js';
import { WritVerificationError } from '../signing/index.js';
import type { TaskStatus } from '../store/index.js';
import { endTaskOfWrit } from './end-task-of-writ.js';
import type { RevocationDeps } from './revocation-deps.js';

export interface CompleteTaskInput {
  /** The bearer writ, if one was presented. */
  token: string | undefined;
  taskId: string;
  requestId: string;
}

export interface CompleteTaskResult {
  task_id: string;
  /** `completed`, or how the task had already ended. */
  status: TaskStatus;
}

// RFC 6750 §3.1: a missing, invalid or revoked bearer token is 401 invalid_token.
const invalidToken = (description: string) =>
  new OAuthError(401, 'invalid_token', description, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });

/** `POST /v1/tasks/{id}/complete`: a writ of that task ends it, and every descendant with it. */
export async function completeTask(
  deps: Pick<RevocationDeps, 'store' | 'audit' | 'clock' | 'writs'>,
  input: CompleteTaskInput,
): Promise<CompleteTaskResult> {
  if (!input.token) throw invalidToken('a writ of this task is required (Authorization: Bearer)');
  let claims: WritClaims;
  try {
    claims = await deps.writs.verify(input.token);
  } catch (err) {
    if (err instanceof WritVerificationError) throw invalidToken(`the writ is not valid (${err.reason})`);
    throw err;
  }
  // Budgeted per writ: a valid but refused writ is evidence, not a way to flush the audit stream.
  const deny = (reasons: string[]) =>
    deps.audit.deny(denyEvent(deps, input, claims, reasons), { source: `jti:${claims.jti}` });
  if (claims.task.id !== input.taskId) {
    await deny(['wrong_task']);
    // RFC 6750 §3.1: a valid token without the privilege for this resource is insufficient_scope.
    throw new OAuthError(403, 'insufficient_scope', 'the writ belongs to another task', {
      'WWW-Authenticate': 'Bearer error="insufficient_scope"',
    });
  }
  const result = await endTaskOfWrit(deps, {
    claims,
    status: 'completed',
    reason: 'completed',
    requestId: input.requestId,
  });
  switch (result.outcome) {
    case 'ended':
      return { task_id: result.task_id, status: result.status };
    case 'task_unknown':
      await deny(['task_unknown']);
      throw invalidToken('the writ names a task this broker does not know');
    case 'writ_not_live':
      await deny([result.reason]);
      throw invalidToken('the writ has been revoked');
  }
}

function denyEvent(
  deps: Pick<RevocationDeps, 'clock'>,
  input: CompleteTaskInput,
  claims: WritClaims,
  reasons: string[],
): AuditEvent {
  return {
    type: 'revocation.denied',
    time: deps.clock.nowMs(),
    request_id: input.requestId,
    decision: 'deny',
    reasons,
    ...writFacts(claims),
    detail: { requested_task: input.taskId },
  };
}

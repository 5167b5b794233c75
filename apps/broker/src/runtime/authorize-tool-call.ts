import { permits, type WritClaims } from '@writ/claims';
import type { AuditEvent } from '../audit/audit-event.js';
import { endedStatusOf } from '../audit/task-status.js';
import { writFacts } from '../audit/writ-facts.js';
import { WritVerificationError } from '../signing/index.js';
import {
  type BudgetLeft,
  type EndedTaskStatus,
  type LivenessReason,
  StoreUnavailableError,
} from '../store/index.js';
import { livenessInputOf } from './liveness-input.js';
import type { RuntimeDeps } from './runtime-deps.js';
import { type ActionFacts, actionDetail } from './runtime-events.js';
import type { TaskFacts } from './task-facts-cache.js';
import { readClientAttributes, writPolicyRequest } from './writ-policy.js';

export interface AuthorizeToolCallInput extends ActionFacts {
  writ: string;
  /** When the caller names itself, it must be the writ's audience. */
  audience?: string;
  requestId: string;
  /** The peer address, for the per-source budget on audit events of unverified writs. */
  peer?: string;
}

/**
 * `invalid_token`: not a valid writ, or no longer live — the caller must stop using it.
 * `deny`: a valid, live writ that may not take this action. `budget_left` is present only when
 * the budgets were consulted (an allow, or a deny at the budget step).
 */
export type AuthorizeToolCallResult =
  | { outcome: 'allow'; reasons: []; budget_left: BudgetLeft }
  | { outcome: 'deny'; reasons: string[]; budget_left?: BudgetLeft }
  | { outcome: 'invalid_token'; reasons: string[]; ended?: EndedTaskStatus };

const LIVENESS_REASONS: ReadonlySet<string> = new Set<LivenessReason>([
  'writ_unknown',
  'writ_revoked',
  'task_not_live',
  'ancestor_not_live',
  'revoked_by_generation',
]);

/**
 * Flow 4 (docs/architecture.md §5): verify the writ → audience → the plan permits the action → Cedar
 * `call_tool` → liveness and budgets taken atomically with the audit event. A refusal before the
 * last step first asks whether the writ is still live, so a dead writ always gets invalid_token.
 * Every call records exactly one `action.allowed`/`action.denied` event; a plan violation may
 * also quarantine the task (its own `task.quarantined` revocation event). Store outages throw
 * StoreUnavailableError.
 */
export async function authorizeToolCall(
  deps: RuntimeDeps,
  input: AuthorizeToolCallInput,
): Promise<AuthorizeToolCallResult> {
  const event = (reasons: string[], facts: Partial<AuditEvent> = {}): AuditEvent => ({
    type: 'action.denied',
    time: deps.clock.nowMs(),
    request_id: input.requestId,
    decision: 'deny',
    reasons,
    ...facts,
    detail: actionDetail(input),
  });

  let claims: WritClaims;
  try {
    claims = await deps.writs.verify(input.writ);
  } catch (err) {
    if (!(err instanceof WritVerificationError)) throw err;
    const reasons = [`writ:${err.reason}`];
    await deps.audit.deny(event(reasons), { source: input.peer ?? 'unknown' });
    return { outcome: 'invalid_token', reasons };
  }
  const facts = writFacts(claims);
  // The store cannot take this call's event; the named log line is the only record left.
  const onOutage = (err: unknown) => {
    if (err instanceof StoreUnavailableError) deps.audit.log(event(['store_unavailable'], facts));
    throw err;
  };

  const refusal = await findRefusal(deps, claims, input).catch(onOutage);
  if (refusal) {
    // A dead writ is told so (401) whatever it asked; only a live one gets a 403 — or quarantined.
    const liveness = await deps.store.checkWritLive(livenessInputOf(claims)).catch(onOutage);
    if (!liveness.live) {
      // Budgeted per writ: a dead writ is evidence, but not a way to flush the audit stream.
      await deps.audit.deny(event([liveness.reason], facts), { source: `jti:${claims.jti}` });
      return deadWrit(deps, claims, [liveness.reason], liveness.reason);
    }
    const reasons = [...refusal.reasons];
    if (
      refusal.planViolation &&
      (await quarantineOnViolation(deps, claims, input, reasons, facts).catch(onOutage))
    ) {
      reasons.push('task_quarantined');
    }
    await deps.audit.deny(event(reasons, facts));
    return { outcome: 'deny', reasons };
  }

  // After the tag read in findRefusal, one atomic store step: liveness, budgets and the event.
  const pending = { ...event([], facts), type: 'action.allowed' as const, decision: 'allow' as const };
  const result = await deps.store
    .authorizeAction({ ...livenessInputOf(claims), tool: input.tool, audit: pending })
    .catch(onOutage);
  // The store wrote the event with its final decision; this is the matching named log line.
  deps.audit.log({
    ...pending,
    type: result.decision === 'allow' ? 'action.allowed' : 'action.denied',
    decision: result.decision,
    reasons: result.reasons,
  });
  if (result.decision === 'allow') return { outcome: 'allow', reasons: [], budget_left: result.budget_left };
  if (result.reasons.some((r) => LIVENESS_REASONS.has(r))) {
    // The next call reads the task again, and is refused where its events are budgeted.
    deps.taskFacts?.delete(claims.task.id);
    const reason = result.reasons.find((r): r is LivenessReason => LIVENESS_REASONS.has(r));
    return deadWrit(deps, claims, result.reasons, reason ?? 'writ_unknown');
  }
  return { outcome: 'deny', reasons: result.reasons, budget_left: result.budget_left };
}

/** A dead writ's answer; an agent whose task was quarantined (or ended otherwise) is told how. */
async function deadWrit(
  deps: RuntimeDeps,
  claims: WritClaims,
  reasons: string[],
  reason: LivenessReason,
): Promise<AuthorizeToolCallResult> {
  const ended = await endedStatusOf(deps, claims.task.id, reason).catch(() => null);
  return { outcome: 'invalid_token', reasons, ...(ended ? { ended } : {}) };
}

/**
 * The checks before the budget: audience, the plan, Cedar `call_tool` (whose principal tags are
 * the client's attributes from the task record — one read). Null when all pass.
 */
async function findRefusal(
  deps: RuntimeDeps,
  claims: WritClaims,
  input: AuthorizeToolCallInput,
): Promise<{ reasons: string[]; planViolation: boolean } | null> {
  if (input.audience !== undefined && input.audience !== claims.aud) {
    return { reasons: ['audience_mismatch'], planViolation: false };
  }
  const plan = permits(claims, {
    tool: input.tool,
    ...(input.resource !== undefined ? { resource: input.resource } : {}),
    ...(input.data_class !== undefined ? { data_class: input.data_class } : {}),
  });
  if (!plan.permitted) return { reasons: plan.reasons, planViolation: true };
  const now = deps.clock.nowSeconds();
  const task = await readTaskFacts(deps, claims.task.id, now);
  if (!task) return { reasons: ['task_not_live'], planViolation: false };
  const attributes = task.client_id === claims.client_id ? task.client_attributes : {};
  const decision = deps.policy.evaluate(writPolicyRequest('call_tool', claims, input.tool, now, attributes));
  if (!decision.allowed) return { reasons: decision.reasons.map((r) => `policy:${r}`), planViolation: false };
  return null;
}

/**
 * The task's client and attributes, from the cache or one read. A task already ended is refused
 * here (undefined), where the deny event is budgeted per writ, rather than in the atomic step,
 * whose event a holder of a dead writ could otherwise repeat at will: a cached task that ended
 * since costs one such event, then leaves the cache.
 */
async function readTaskFacts(deps: RuntimeDeps, taskId: string, now: number): Promise<TaskFacts | undefined> {
  const cached = deps.taskFacts?.get(taskId, now);
  if (cached) return cached;
  const task = await deps.store.getTask(taskId);
  if (task?.status !== 'live' || task.expires_at <= now) return undefined;
  const facts = {
    client_id: task.client_id,
    client_attributes: task.client_attributes ?? {},
    expires_at: task.expires_at,
  };
  deps.taskFacts?.set(taskId, facts);
  return facts;
}

/**
 * Scope lock at run time (docs/architecture.md §5): an action outside the plan quarantines the task when
 * Cedar's `quarantine_on_violation` permits it for the presenting workload. A quarantine is a
 * revocation: the store marks the task, appends the feed entry and the event in one step.
 */
async function quarantineOnViolation(
  deps: RuntimeDeps,
  claims: WritClaims,
  input: AuthorizeToolCallInput,
  violations: string[],
  facts: Partial<AuditEvent>,
): Promise<boolean> {
  const now = deps.clock.nowSeconds();
  const attributes = await readClientAttributes(deps.store, claims);
  const decision = deps.policy.evaluate(
    writPolicyRequest('quarantine_on_violation', claims, input.tool, now, attributes),
  );
  if (!decision.allowed) return false;
  const event: AuditEvent = {
    type: 'task.quarantined',
    time: deps.clock.nowMs(),
    request_id: input.requestId,
    decision: 'deny',
    reasons: violations,
    ...facts,
    detail: actionDetail(input),
  };
  const done = await deps.store.quarantineTask(claims.task.id, event);
  if (done) deps.audit.log(event);
  return done;
}

import { randomBytes } from 'node:crypto';
import type { AuditEvent } from '../../../src/audit/audit-event.js';
import type { Clock } from '../../../src/shared/clock.js';
import type {
  CommitIssuanceInput,
  OperatorKeyRecord,
  TaskRecord,
  WritLivenessInput,
  WritRecord,
} from '../../../src/store/index.js';

/** Records for store tests: realistic, unique ids, every optional field filled unless overridden. */
export function newId(): string {
  return randomBytes(16).toString('base64url');
}

export function buildTask(clock: Clock, overrides: Partial<TaskRecord> = {}): TaskRecord {
  const now = clock.nowSeconds();
  return {
    id: newId(),
    chain: [],
    principal: 'spiffe://example.org/ns/agents/sa/triage',
    issuer: 'spiffe://example.org',
    client_id: 'spiffe://example.org/ns/agents/sa/triage',
    client_attributes: { trust_domain: 'example.org', path: '/ns/agents/sa/triage', groups: ['a', 'b'] },
    intent: 'triage new OPS tickets',
    data_class: 'internal',
    tools: ['jira.read', 'jira.comment'],
    resources: ['jira:project/OPS'],
    data_classes: ['public', 'internal'],
    budget: { total: 20, per_tool: { 'jira.comment': 5 } },
    created_at: now,
    expires_at: now + 600,
    status: 'live',
    ...overrides,
  };
}

export function buildChildTask(
  clock: Clock,
  parent: TaskRecord,
  overrides: Partial<TaskRecord> = {},
): TaskRecord {
  return buildTask(clock, {
    parent: parent.id,
    chain: [...parent.chain, parent.id],
    tools: ['jira.read'],
    client_id: 'spiffe://example.org/ns/agents/sa/worker',
    expires_at: parent.expires_at,
    ...overrides,
  });
}

export function buildWrit(clock: Clock, task: TaskRecord, overrides: Partial<WritRecord> = {}): WritRecord {
  const now = clock.nowSeconds();
  return {
    jti: newId(),
    task_id: task.id,
    audience: 'https://jira.example.com',
    tools: task.tools,
    principal: task.principal,
    client_id: task.client_id,
    actor_chain: task.parent === undefined ? [] : ['spiffe://example.org/ns/agents/sa/worker'],
    issued_at: now,
    expires_at: Math.min(now + 300, task.expires_at),
    gen: 1,
    ...overrides,
  };
}

export function buildAudit(clock: Clock, overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    type: 'writ.issued',
    time: clock.nowMs(),
    request_id: newId(),
    decision: 'allow',
    reasons: ['policy permits'],
    principal: 'spiffe://example.org/ns/agents/sa/triage',
    detail: { tools: 2, dpop: false, policy: 'default' },
    ...overrides,
  };
}

/** An issuance that creates `task` (requiring its ancestors live) with one writ. */
export function buildCommit(clock: Clock, task: TaskRecord, createTask = true): CommitIssuanceInput {
  const writ = buildWrit(clock, task);
  return {
    task,
    createTask,
    writ,
    audit: buildAudit(clock, { task_id: task.id, jti: writ.jti, audience: writ.audience }),
    requireLive: task.chain,
  };
}

/** What checkWritLive / authorizeAction are given for a writ of `task`. */
export function livenessOf(
  writ: WritRecord,
  task: TaskRecord,
  overrides: Partial<WritLivenessInput> = {},
): WritLivenessInput {
  return {
    jti: writ.jti,
    task_id: task.id,
    chain: task.chain,
    gen: writ.gen,
    principals: [...new Set([writ.principal, writ.client_id, ...writ.actor_chain])],
    issuers: ['spiffe:example.org'],
    ...overrides,
  };
}

export function buildOperatorKey(
  clock: Clock,
  overrides: Partial<OperatorKeyRecord> = {},
): OperatorKeyRecord {
  const now = clock.nowSeconds();
  return {
    id: newId().slice(0, 12),
    name: 'on-call',
    roles: ['revoke', 'read'],
    hash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo',
    status: 'active',
    created_at: now,
    updated_at: now,
    ...overrides,
  };
}

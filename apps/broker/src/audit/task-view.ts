import { type Budget, issuerOfPrincipal } from '@writ/claims';
import type { StoredAuditEvent, TaskRecord, TaskUsage, WritRecord, WritStore } from '../store/index.js';
import { buildDelegationTree, type DelegationNode } from './delegation-tree.js';
import { createTaskStatusResolver, type EffectiveTaskStatus } from './task-status.js';

/** Writs listed per task, newest first; a task re-exchanged more often reports `writ_count`. */
export const MAX_LISTED_WRITS = 100;
export const RECENT_AUDIT_EVENTS = 50;

export interface TaskPlan {
  tools: string[];
  resources: string[];
  data_classes: string[];
  budget?: Budget;
  /** Seconds the task was granted (expires_at − created_at). */
  ttl: number;
}

export interface WritSummary {
  jti: string;
  audience: string;
  tools: string[];
  issued_at: number;
  expires_at: number;
  actor_chain: string[];
  /** Present when the writ itself was revoked (by jti, or by a principal/issuer/all generation). */
  revoked?: true;
}

export interface TaskView {
  task: Omit<TaskRecord, 'status'> & { status: EffectiveTaskStatus; record_status: TaskRecord['status'] };
  plan: TaskPlan;
  writs: WritSummary[];
  writ_count: number;
  delegation_tree: DelegationNode;
  budget_use: TaskUsage;
  recent_audit: StoredAuditEvent[];
}

export type TaskViewStore = Pick<
  WritStore,
  'getTask' | 'getTaskWrits' | 'getTaskChildren' | 'getTaskUsage' | 'queryAudit' | 'checkWritLive'
>;

/** Everything an operator needs about one task; null when the store no longer knows it. */
export async function buildTaskView(
  store: TaskViewStore,
  id: string,
  nowSeconds: number,
): Promise<TaskView | null> {
  const record = await store.getTask(id);
  if (!record) return null;
  const status = await createTaskStatusResolver(store, nowSeconds).statusOf(record);
  const [writs, tree, usage, audit] = await Promise.all([
    store.getTaskWrits(id),
    buildDelegationTree(store, record, status, nowSeconds),
    store.getTaskUsage(id),
    store.queryAudit({ task_id: id, limit: RECENT_AUDIT_EVENTS }),
  ]);
  const listed = [...writs].sort((a, b) => b.issued_at - a.issued_at).slice(0, MAX_LISTED_WRITS);
  return {
    task: { ...record, status, record_status: record.status },
    plan: {
      tools: record.tools,
      resources: record.resources,
      data_classes: record.data_classes,
      ...(record.budget ? { budget: record.budget } : {}),
      ttl: record.expires_at - record.created_at,
    },
    writs: await Promise.all(listed.map((writ) => summarizeWrit(store, record, writ))),
    writ_count: writs.length,
    delegation_tree: tree,
    budget_use: usage,
    recent_audit: audit.items,
  };
}

async function summarizeWrit(store: TaskViewStore, task: TaskRecord, writ: WritRecord): Promise<WritSummary> {
  const principals = [...new Set([writ.principal, writ.client_id, ...writ.actor_chain])];
  const issuers = principals.map(issuerOfPrincipal).filter((i): i is string => i !== undefined);
  const liveness = await store.checkWritLive({
    jti: writ.jti,
    task_id: writ.task_id,
    chain: task.chain,
    gen: writ.gen,
    principals,
    issuers: [...new Set(issuers)],
  });
  // Task endings show in the task's status; here only what ended this writ alone.
  const revoked =
    writ.revoked === true ||
    (!liveness.live && (liveness.reason === 'writ_revoked' || liveness.reason === 'revoked_by_generation'));
  return {
    jti: writ.jti,
    audience: writ.audience,
    tools: writ.tools,
    issued_at: writ.issued_at,
    expires_at: writ.expires_at,
    actor_chain: writ.actor_chain,
    ...(revoked ? { revoked: true as const } : {}),
  };
}

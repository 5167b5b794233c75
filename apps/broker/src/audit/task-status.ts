import type { Clock } from '../shared/clock.js';
import type { EndedTaskStatus, LivenessReason, TaskRecord, TaskStatus, WritStore } from '../store/index.js';

/** What an operator sees: the stored status, or why a task whose record says 'live' is dead. */
export type EffectiveTaskStatus = TaskStatus | 'expired';

export const EFFECTIVE_TASK_STATUSES = ['live', 'completed', 'revoked', 'quarantined', 'expired'] as const;

/**
 * A task's own ending wins; a task whose record is still 'live' takes the status of its nearest
 * ended ancestor (its writs died with that ancestor, docs/architecture.md §5, flows 5–6); otherwise it is
 * 'expired' once it or an ancestor reached `expires_at`, and 'live' only when nothing ended it.
 */
export function deriveTaskStatus(
  task: TaskRecord,
  inherited: EffectiveTaskStatus,
  nowSeconds: number,
): EffectiveTaskStatus {
  if (task.status !== 'live') return task.status;
  if (inherited !== 'live') return inherited;
  return task.expires_at <= nowSeconds ? 'expired' : 'live';
}

export type TaskStatusStore = Pick<WritStore, 'getTask'>;

export interface TaskStatusResolver {
  statusOf(task: TaskRecord): Promise<EffectiveTaskStatus>;
}

/**
 * Resolves effective statuses for one request, reading each ancestor once. An ancestor whose record
 * is gone is 'expired': records are dropped only after their retention, which starts at expiry
 * (a lost dataset is caught by the store, which answers 503 instead).
 */
export function createTaskStatusResolver(store: TaskStatusStore, nowSeconds: number): TaskStatusResolver {
  const ancestors = new Map<string, Promise<EffectiveTaskStatus>>();

  // Walking the record's own chain (root first) never loops, whatever the stored parents say.
  const ancestorStatus = (chain: string[], index: number): Promise<EffectiveTaskStatus> => {
    const id = chain[index] as string;
    let status = ancestors.get(id);
    if (!status) {
      status = (async () => {
        const inherited = index === 0 ? 'live' : await ancestorStatus(chain, index - 1);
        const record = await store.getTask(id);
        return record ? deriveTaskStatus(record, inherited, nowSeconds) : 'expired';
      })();
      ancestors.set(id, status);
    }
    return status;
  };

  return {
    async statusOf(task) {
      if (task.status !== 'live') return task.status;
      const inherited = task.chain.length ? await ancestorStatus(task.chain, task.chain.length - 1) : 'live';
      return deriveTaskStatus(task, inherited, nowSeconds);
    },
  };
}

const TASK_ENDINGS: readonly LivenessReason[] = ['task_not_live', 'ancestor_not_live'];

/**
 * How the writ's task (or the nearest ended ancestor) ended — completed, revoked or quarantined —
 * so an agent whose task was quarantined learns it; null for any other death (expiry, a jti or
 * generation revocation, records gone), which keeps the generic answer.
 */
export async function endedStatusOf(
  deps: { store: TaskStatusStore; clock: Clock },
  taskId: string,
  reason: LivenessReason,
): Promise<EndedTaskStatus | null> {
  if (!TASK_ENDINGS.includes(reason)) return null;
  const record = await deps.store.getTask(taskId);
  if (!record) return null;
  const status = await createTaskStatusResolver(deps.store, deps.clock.nowSeconds()).statusOf(record);
  return status === 'live' || status === 'expired' ? null : status;
}

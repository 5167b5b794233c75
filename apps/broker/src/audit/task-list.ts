import type { TaskRecord, WritStore } from '../store/index.js';
import { createTaskStatusResolver, type EffectiveTaskStatus } from './task-status.js';

/** A bound on store reads per request: a filter that rarely matches returns a short page and a cursor. */
export const MAX_STORE_PAGES = 10;

export interface TaskSummary {
  id: string;
  parent?: string;
  chain: string[];
  principal: string;
  client_id: string;
  issuer: string;
  intent: string;
  data_class: string;
  created_at: number;
  expires_at: number;
  /** Effective status (see deriveTaskStatus). */
  status: EffectiveTaskStatus;
  /** What the task's own record says. */
  record_status: TaskRecord['status'];
}

export interface ListTasksOptions {
  principal?: string;
  status?: EffectiveTaskStatus;
  cursor?: string;
  limit: number;
  nowSeconds: number;
}

export interface ListTasksResult {
  tasks: TaskSummary[];
  next_cursor?: string;
}

export type TaskListStore = Pick<WritStore, 'listTasks' | 'getTask'>;

/**
 * Newest first. The status filter applies to the effective status, so it runs here rather than in
 * the store; each store page asks only for as many tasks as are still missing, which keeps every
 * page boundary a store cursor (no task is skipped or repeated across pages).
 */
export async function listTaskSummaries(
  store: TaskListStore,
  options: ListTasksOptions,
): Promise<ListTasksResult> {
  const resolver = createTaskStatusResolver(store, options.nowSeconds);
  const tasks: TaskSummary[] = [];
  let cursor = options.cursor;
  for (let page = 0; page < MAX_STORE_PAGES && tasks.length < options.limit; page++) {
    const result = await store.listTasks({
      ...(options.principal !== undefined ? { principal: options.principal } : {}),
      ...(cursor !== undefined ? { cursor } : {}),
      limit: options.limit - tasks.length,
    });
    for (const record of result.items) {
      const status = await resolver.statusOf(record);
      if (options.status === undefined || status === options.status) tasks.push(summarize(record, status));
    }
    cursor = result.next_cursor;
    if (cursor === undefined) break;
  }
  return { tasks, ...(cursor !== undefined ? { next_cursor: cursor } : {}) };
}

export function summarize(task: TaskRecord, status: EffectiveTaskStatus): TaskSummary {
  return {
    id: task.id,
    ...(task.parent !== undefined ? { parent: task.parent } : {}),
    chain: task.chain,
    principal: task.principal,
    client_id: task.client_id,
    issuer: task.issuer,
    intent: task.intent,
    data_class: task.data_class,
    created_at: task.created_at,
    expires_at: task.expires_at,
    status,
    record_status: task.status,
  };
}

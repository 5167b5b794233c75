import type { ClientAttributes } from './writ-policy.js';

/** What a task record says that never changes after the task is created. */
export interface TaskFacts {
  client_id: string;
  client_attributes: ClientAttributes;
  expires_at: number;
}

/**
 * The immutable facts of live tasks (their client and its attributes, their end), remembered so a
 * repeated `/v1/authorize` is one store round trip: the atomic step still checks liveness and
 * budgets every call. An entry is dropped when its task ends (the caller learns it from the store)
 * or expires; bounded, oldest first out.
 */
export interface TaskFactsCache {
  get(taskId: string, nowSeconds: number): TaskFacts | undefined;
  set(taskId: string, facts: TaskFacts): void;
  delete(taskId: string): void;
}

export function createTaskFactsCache(maxEntries = 10_000): TaskFactsCache {
  const entries = new Map<string, TaskFacts>();
  return {
    get(taskId, nowSeconds) {
      const facts = entries.get(taskId);
      if (facts && facts.expires_at <= nowSeconds) {
        entries.delete(taskId);
        return undefined;
      }
      return facts;
    },
    set(taskId, facts) {
      if (maxEntries <= 0) return;
      if (!entries.has(taskId) && entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      entries.set(taskId, facts);
    },
    delete(taskId) {
      entries.delete(taskId);
    },
  };
}

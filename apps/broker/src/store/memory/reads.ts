import type { TaskRecord, WritStore } from '../port/index.js';
import { scanAudit } from '../shared/audit-query.js';
import { isValidKeyId } from '../shared/keys.js';
import { decodeTask, decodeWrit, taskWritIds } from '../shared/records.js';
import { compareStreamIds } from '../shared/revocation-records.js';
import { checkTaskListQuery, encodeTaskCursor, isAfterTaskCursor } from '../shared/task-list.js';
import type { MemoryContext } from './context.js';

type ReadMethods = Pick<WritStore, 'listTasks' | 'getTaskWrits' | 'getTaskChildren' | 'queryAudit'>;

/** Operator reads in memory, with the same paging and index clean-up as the Redis store. */
export function createMemoryReads(ctx: MemoryContext): ReadMethods {
  const { keys, keyspace } = ctx;

  return {
    async listTasks(query) {
      const { cursor, principalUsable } = checkTaskListQuery(query);
      ctx.checkOpen();
      if (!principalUsable) return { items: [] };
      const indexKey = query.principal === undefined ? keys.tasks : keys.principalTasks(query.principal);
      const found = keyspace
        .sortedSetDescending(indexKey)
        .filter(([member, score]) => isAfterTaskCursor(member, score, cursor))
        .slice(0, query.limit + 1);
      const page = found.slice(0, query.limit);
      const items: TaskRecord[] = [];
      for (const [member] of page) {
        const fields = isValidKeyId(member) ? keyspace.hashFields(keys.task(member)) : undefined;
        // The task hash expired (retention over): drop it from the index on the way.
        if (fields === undefined) keyspace.removeFromSortedSet(indexKey, (id) => id === member);
        else items.push(decodeTask(member, fields));
      }
      const last = page.at(-1);
      return last !== undefined && found.length > query.limit
        ? { items, next_cursor: encodeTaskCursor({ score: last[1], member: last[0] }) }
        : { items };
    },

    async getTaskWrits(id) {
      if (!isValidKeyId(id)) return [];
      ctx.checkOpen();
      return taskWritIds(keyspace.hashFields(keys.task(id)))
        .flatMap((jti) => {
          const fields = keyspace.hashFields(keys.writ(id, jti));
          return fields === undefined ? [] : [decodeWrit(id, fields)];
        })
        .sort((a, b) => a.issued_at - b.issued_at || (a.jti < b.jti ? -1 : 1));
    },

    async getTaskChildren(id) {
      if (!isValidKeyId(id)) return [];
      ctx.checkOpen();
      return keyspace.setMembers(keys.taskChildren(id)).sort();
    },

    queryAudit: (query) =>
      scanAudit(query, async (upper, lower, count) => {
        ctx.checkOpen();
        return ctx.audit
          .before(upper, Number.MAX_SAFE_INTEGER)
          .filter((entry) => lower === undefined || compareStreamIds(entry.id, lower) >= 0)
          .slice(0, count);
      }),
  };
}

import type { TaskRecord, WritRecord, WritStore } from '../port/index.js';
import { scanAudit } from '../shared/audit-query.js';
import { StoreUnavailableError } from '../shared/errors.js';
import { isValidKeyId } from '../shared/keys.js';
import { decodeTask, decodeWrit, taskWritIds } from '../shared/records.js';
import { checkTaskListQuery, encodeTaskCursor, isAfterTaskCursor } from '../shared/task-list.js';
import { isStringRecord, type RedisContext, toPairs, toStreamEntries } from './context.js';

type ReadMethods = Pick<WritStore, 'listTasks' | 'getTaskWrits' | 'getTaskChildren' | 'queryAudit'>;

/** Operator reads in Redis: read pipelines checked against the dataset marker. */
export function createRedisReads(ctx: RedisContext): ReadMethods {
  const { redis, keys, guard, readWithMarker, logger } = ctx;

  const readMembers = async (key: string): Promise<string[]> => {
    const [members] = await guard('read a set', () => readWithMarker((p) => p.smembers(key)));
    if (!Array.isArray(members)) throw new StoreUnavailableError('Redis returned an unexpected set reply');
    return members.map(String);
  };

  const readHashes = async (hashKeys: string[]): Promise<Record<string, string>[]> => {
    if (hashKeys.length === 0) return [];
    const replies = await guard('read records', () =>
      readWithMarker((p) => {
        for (const key of hashKeys) p.hgetall(key);
      }),
    );
    return replies.map((fields) => {
      if (!isStringRecord(fields))
        throw new StoreUnavailableError('Redis returned an unexpected record reply');
      return fields;
    });
  };

  return {
    async listTasks(query) {
      const { cursor, principalUsable } = checkTaskListQuery(query);
      if (!principalUsable) return { items: [] };
      const indexKey = query.principal === undefined ? keys.tasks : keys.principalTasks(query.principal);
      const replies = await guard('list tasks', () =>
        readWithMarker((p) => {
          if (cursor === undefined) {
            p.zrevrangebyscore(indexKey, '+inf', '-inf', 'WITHSCORES', 'LIMIT', 0, query.limit + 1);
          } else {
            // Ties (same created_at second) are ordered by id, so the cursor's second is read whole.
            p.zrevrangebyscore(indexKey, cursor.score, cursor.score, 'WITHSCORES');
            p.zrevrangebyscore(
              indexKey,
              `(${cursor.score}`,
              '-inf',
              'WITHSCORES',
              'LIMIT',
              0,
              query.limit + 1,
            );
          }
        }),
      );
      // One more than the page tells whether another page follows.
      const found = replies
        .flatMap(toPairs)
        .map(([member, score]) => [member, Number(score)] as const)
        .filter(([member, score]) => isAfterTaskCursor(member, score, cursor))
        .slice(0, query.limit + 1);
      const page = found.slice(0, query.limit);
      const ids = page.map(([member]) => member).filter(isValidKeyId);
      const records = await readHashes(ids.map((id) => keys.task(id)));
      const items: TaskRecord[] = [];
      const gone: string[] = page.map(([member]) => member).filter((member) => !isValidKeyId(member));
      records.forEach((fields, i) => {
        if (Object.keys(fields).length === 0) gone.push(ids[i] ?? '');
        else items.push(decodeTask(ids[i] ?? '', fields));
      });
      // The task hashes expired (retention over): drop them from the index on the way. Best effort:
      // a replica or a full Redis refuses the write, and the next listing tries again.
      if (gone.length > 0) {
        await redis.zrem(indexKey, ...gone).catch((error: unknown) => {
          logger.debug({ err: { message: String(error) } }, 'could not prune the task index');
        });
      }
      const last = page.at(-1);
      return last !== undefined && found.length > query.limit
        ? { items, next_cursor: encodeTaskCursor({ score: last[1], member: last[0] }) }
        : { items };
    },

    async getTaskWrits(id) {
      if (!isValidKeyId(id)) return [];
      const [task] = await readHashes([keys.task(id)]);
      const jtis = taskWritIds(task).filter(isValidKeyId);
      const records = await readHashes(jtis.map((jti) => keys.writ(id, jti)));
      return records
        .filter((fields) => Object.keys(fields).length > 0)
        .map((fields) => decodeWrit(id, fields))
        .sort((a: WritRecord, b: WritRecord) => a.issued_at - b.issued_at || (a.jti < b.jti ? -1 : 1));
    },

    async getTaskChildren(id) {
      if (!isValidKeyId(id)) return [];
      return (await readMembers(keys.taskChildren(id))).sort();
    },

    queryAudit: (query) =>
      scanAudit(query, async (upper, lower, count) => {
        const [entries] = await guard('read the audit stream', () =>
          readWithMarker((p) =>
            p.xrevrange(keys.audit, upper === undefined ? '+' : `(${upper}`, lower ?? '-', 'COUNT', count),
          ),
        );
        return toStreamEntries(entries);
      }),
  };
}

import type { TaskListQuery } from '../port/index.js';
import { InvalidCursorError, InvalidStoreInputError } from './errors.js';
import { isValidPrincipalKey } from './keys.js';

export const MAX_TASK_PAGE = 200;

/** The last task of a page: its index score (created_at) and id. */
export interface TaskCursor {
  score: number;
  member: string;
}

export function encodeTaskCursor(cursor: TaskCursor): string {
  return Buffer.from(JSON.stringify([cursor.score, cursor.member])).toString('base64url');
}

export function decodeTaskCursor(text: string): TaskCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('not a task list cursor');
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 2 ||
    !Number.isSafeInteger(parsed[0]) ||
    typeof parsed[1] !== 'string'
  ) {
    throw new InvalidCursorError('not a task list cursor');
  }
  return { score: parsed[0] as number, member: parsed[1] };
}

/** Validates a listTasks query; an unusable principal names no task, so it lists nothing. */
export function checkTaskListQuery(query: TaskListQuery): { cursor?: TaskCursor; principalUsable: boolean } {
  if (!Number.isSafeInteger(query.limit) || query.limit < 1 || query.limit > MAX_TASK_PAGE) {
    throw new InvalidStoreInputError(`task page limit must be an integer from 1 to ${MAX_TASK_PAGE}`);
  }
  const principalUsable = query.principal === undefined || isValidPrincipalKey(query.principal);
  return query.cursor === undefined
    ? { principalUsable }
    : { cursor: decodeTaskCursor(query.cursor), principalUsable };
}

/** True when an index entry comes after the cursor in ZREVRANGEBYSCORE order (score desc, id desc). */
export function isAfterTaskCursor(member: string, score: number, cursor: TaskCursor | undefined): boolean {
  if (cursor === undefined) return true;
  if (score !== cursor.score) return score < cursor.score;
  return Buffer.compare(Buffer.from(member), Buffer.from(cursor.member)) < 0;
}

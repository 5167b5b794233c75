import type { RevocationSnapshot } from '../port/index.js';
import { InvalidCursorError } from './errors.js';

/** Entries of each list (ended tasks, revoked jtis) per snapshot page: bounded work per call. */
export const SNAPSHOT_PAGE = 1000;

/**
 * Where a list of the paged snapshot stands: after (until, member), in ZRANGE order (until asc,
 * member asc); `done` when the list was read to its end; absent = from the start.
 */
export type ListPosition = { until: number; member: string } | 'done';

export interface SnapshotCursor {
  tasks?: ListPosition;
  writs?: ListPosition;
}

export function encodeSnapshotCursor(cursor: Required<SnapshotCursor>): string {
  const part = (p: ListPosition) => (p === 'done' ? 0 : [p.until, p.member]);
  return Buffer.from(JSON.stringify(['s', part(cursor.tasks), part(cursor.writs)])).toString('base64url');
}

/** A cursor this store made, or InvalidCursorError (a client error → 400). */
export function decodeSnapshotCursor(text: string): Required<SnapshotCursor> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('not a revocation snapshot cursor');
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || parsed[0] !== 's') {
    throw new InvalidCursorError('not a revocation snapshot cursor');
  }
  return { tasks: toPosition(parsed[1]), writs: toPosition(parsed[2]) };
}

function toPosition(value: unknown): ListPosition {
  if (value === 0) return 'done';
  if (
    Array.isArray(value) &&
    value.length === 2 &&
    Number.isSafeInteger(value[0]) &&
    value[0] >= 0 &&
    typeof value[1] === 'string' &&
    value[1].length > 0 &&
    value[1].length <= 128
  ) {
    return { until: value[0] as number, member: value[1] };
  }
  throw new InvalidCursorError('not a revocation snapshot cursor');
}

/**
 * A page read after `at`, with the cursor of the next page: a list that filled its page continues
 * after its last entry, one that came back short is done. No cursor once both are done.
 */
export function snapshotPage(
  page: Omit<RevocationSnapshot, 'next_cursor'>,
  at: SnapshotCursor,
): RevocationSnapshot {
  const next = (entries: Array<{ member: string; until: number }>, was: ListPosition | undefined) => {
    if (was === 'done') return 'done';
    const last = entries.at(-1);
    return entries.length < SNAPSHOT_PAGE || last === undefined
      ? 'done'
      : { until: last.until, member: last.member };
  };
  const tasks = next(
    page.tasks.map((t) => ({ member: t.task_id, until: t.until })),
    at.tasks,
  );
  const writs = next(
    page.writs.map((w) => ({ member: w.jti, until: w.until })),
    at.writs,
  );
  if (tasks === 'done' && writs === 'done') return page;
  return { ...page, next_cursor: encodeSnapshotCursor({ tasks, writs }) };
}

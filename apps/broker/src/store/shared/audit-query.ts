import type { StreamEntry } from '../memory/stream.js';
import type { AuditQuery, Page, StoredAuditEvent } from '../port/index.js';
import { InvalidCursorError, InvalidStoreInputError } from './errors.js';
import { decodeAudit } from './records.js';
import { compareStreamIds, isStreamId } from './revocation-records.js';

/** At most this many stream entries are read per queryAudit call, matching or not. */
export const AUDIT_SCAN_LIMIT = 5000;
export const MAX_AUDIT_PAGE = 1000;
const BATCH = 500;
// Stream ids carry Redis's clock, events the broker's: ids only narrow the scan, with this margin,
// and each event's own `time` decides whether it is in range.
const CLOCK_MARGIN_MS = 5 * 60_000;

/**
 * Reads entries newest first: ids strictly below `upperExclusive` (all when undefined) and at or
 * above `lowerInclusive` (all when undefined), at most `count`.
 */
export type FetchAuditBatch = (
  upperExclusive: string | undefined,
  lowerInclusive: string | undefined,
  count: number,
) => Promise<StreamEntry[]>;

/** queryAudit for any store: filters a bounded, cursor-paged scan of the audit stream. */
export async function scanAudit(query: AuditQuery, fetch: FetchAuditBatch): Promise<Page<StoredAuditEvent>> {
  checkAuditQuery(query);
  let upper =
    query.cursor ?? (query.to === undefined ? undefined : `${Math.max(0, query.to + CLOCK_MARGIN_MS + 1)}-0`);
  const lower = query.from === undefined ? undefined : `${Math.max(0, query.from - CLOCK_MARGIN_MS)}-0`;
  const items: StoredAuditEvent[] = [];
  let scanned = 0;
  while (scanned < AUDIT_SCAN_LIMIT) {
    const want = Math.min(BATCH, AUDIT_SCAN_LIMIT - scanned);
    const batch = await fetch(upper, lower, want);
    for (const entry of batch) {
      scanned += 1;
      upper = entry.id;
      const event = decodeAudit(entry.value);
      if (!matchesAuditQuery(event, query)) continue;
      items.push({ ...event, id: entry.id });
      if (items.length === query.limit) return { items, next_cursor: entry.id };
    }
    if (batch.length < want) return { items };
  }
  return upper === undefined ? { items } : { items, next_cursor: upper };
}

function matchesAuditQuery(event: StoredAuditEvent | ReturnType<typeof decodeAudit>, query: AuditQuery) {
  if (query.task_id !== undefined && event.task_id !== query.task_id) return false;
  if (query.decision !== undefined && event.decision !== query.decision) return false;
  if (
    query.principal !== undefined &&
    event.principal !== query.principal &&
    !(event.actor_chain ?? []).includes(query.principal)
  ) {
    return false;
  }
  if (query.from !== undefined && event.time < query.from) return false;
  if (query.to !== undefined && event.time > query.to) return false;
  return true;
}

function checkAuditQuery(query: AuditQuery): void {
  if (!Number.isSafeInteger(query.limit) || query.limit < 1 || query.limit > MAX_AUDIT_PAGE) {
    throw new InvalidStoreInputError(`audit page limit must be an integer from 1 to ${MAX_AUDIT_PAGE}`);
  }
  for (const bound of [query.from, query.to]) {
    if (bound !== undefined && (!Number.isSafeInteger(bound) || bound < 0)) {
      throw new InvalidStoreInputError('audit time bounds must be epoch milliseconds');
    }
  }
  // A cursor is the id of an event already returned, so it is above 0-0 (`(0-0` is no range Redis accepts).
  if (
    query.cursor !== undefined &&
    !(isStreamId(query.cursor) && compareStreamIds(query.cursor, '0-0') > 0)
  ) {
    throw new InvalidCursorError('not an audit cursor');
  }
}

import type { AuditEvent } from '../../audit/audit-event.js';
import type { Clock } from '../../shared/clock.js';
import type { StoreKeys } from '../shared/keys.js';
import type { MemoryKeyspace } from './keyspace.js';
import type { MemoryStream } from './stream.js';

/** What the memory store's parts share: one keyspace, two streams, one open/closed state. */
export interface MemoryContext {
  clock: Clock;
  keys: StoreKeys;
  keyspace: MemoryKeyspace;
  audit: MemoryStream;
  feed: MemoryStream;
  retention: number;
  /** Throws StoreUnavailableError before init() and after close(). */
  checkOpen(): void;
  /** The task's expires_at when the hash exists, is live and unexpired. */
  liveUntil(taskKey: string): number | undefined;
  appendEvent(event: AuditEvent): void;
  /** EXPIREAT, but never earlier than an expiry the key already has. */
  extendExpiry(key: string, epochSeconds: number): void;
}

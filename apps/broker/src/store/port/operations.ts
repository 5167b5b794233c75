import type { LivenessResult } from '@writ/claims';
import type { AuditEvent } from '../../audit/audit-event.js';
import type { TaskRecord, WritRecord } from './task-records.js';

// ---- Revocation (docs/architecture.md §5, §7) -------------------------------------------------------

/**
 * What a revocation names. A task revocation covers every descendant, because each writ carries
 * its ancestors in `task.chain`. Principal, issuer and `all` revocations use generations: every
 * writ carries the generation current at issuance (`gen`); such a revocation bumps the global
 * generation G to G+1 and revokes, for its target, every writ with `gen` < G+1 — ordering by
 * counters, never by wall clocks.
 */
export type RevocationTarget =
  | { kind: 'task'; task_id: string }
  | { kind: 'writ'; jti: string }
  | { kind: 'principal'; principal: string }
  | { kind: 'issuer'; issuer: string }
  | { kind: 'all' };

export type EndedTaskStatus = 'revoked' | 'completed' | 'quarantined';

/** One entry of the revocation feed (a Redis Stream entry). */
export interface RevocationEntry {
  /** Stream id: the feed cursor and the SSE event id. */
  id: string;
  target: RevocationTarget;
  /** principal / issuer / all: writs whose `gen` is below this are revoked. */
  below_gen?: number;
  /**
   * task / writ: epoch seconds after which the entry no longer matters: the covered writs' expiry
   * plus 60 s, the most clock tolerance any verifier may apply (docs/architecture.md §3).
   */
  until?: number;
  /** task: the status it ended in. */
  status?: EndedTaskStatus;
  reason: string;
  /** Epoch milliseconds. */
  time: number;
}

export interface RevokeInput {
  target: RevocationTarget;
  reason: string;
  /** task only: how it ended; default 'revoked'. */
  status?: EndedTaskStatus;
  audit: AuditEvent;
  /** writ only, when the writ is not known to the store: how long to remember its jti (epoch s). */
  writUntil?: number;
  /**
   * principal / issuer only: the epoch second after which the mark covers nothing (every writ it
   * revokes has expired, every identity token it bans is too old to be accepted); it is pruned
   * from then on. Absent: kept for good.
   */
  markUntil?: number;
}

/**
 * The state an exchange reads for one presented workload identity, in one step: the generation
 * first, then the latest principal / issuer / `all` revocation covering it. Read in that order, a
 * revocation landing after the generation read makes the commit refuse (`generation_changed`),
 * and one landing before it is seen here.
 */
export interface IdentityBanState {
  generation: number;
  /** Epoch ms of the latest revocation of the principal, its issuer, or `all`; null when none. */
  bannedSinceMs: number | null;
}

export interface RevokeResult {
  /** False when nothing changed (task already ended, jti already revoked): idempotent, no feed entry. */
  changed: boolean;
  /** The feed entry written, when changed. */
  entry?: RevocationEntry;
}

/**
 * One page of everything a verifier needs to rebuild its view. Each page holds at most 1000
 * ended tasks and 1000 revoked jtis; follow `next_cursor` until it is absent. The marks
 * (generation, all_below, principals, issuers) are whole on every page. Follow the feed after the
 * FIRST page's `last_id`: whatever changed while paging is in the feed after it.
 */
export interface RevocationSnapshot {
  /** Newest feed entry at the time of this page. '0-0' when the feed is empty. */
  last_id: string;
  generation: number;
  /** Every writ with `gen` below this is revoked; 0 when never used. */
  all_below: number;
  principals: Record<string, number>;
  issuers: Record<string, number>;
  /** Ended tasks whose writs may still be unexpired. */
  tasks: Array<{ task_id: string; status: EndedTaskStatus; until: number }>;
  writs: Array<{ jti: string; until: number }>;
  /** Pass back for the next page; absent on the last page. */
  next_cursor?: string;
}

export interface RevocationPage {
  entries: RevocationEntry[];
  /** True when entries after the given id were trimmed from the bounded feed: resync from a snapshot. */
  gap: boolean;
  /**
   * True when `afterId` is past the newest entry: no feed entry ever had it (a cursor from another
   * deployment, a lost dataset, or made up). Following it would silently skip every revocation
   * up to it, so the reader must resync from a snapshot (fail closed).
   */
  ahead: boolean;
}

export interface RevocationStore {
  /**
   * Applies the revocation, appends its feed entry and the audit event in one atomic step; then,
   * when the store is configured for it, waits for replicas (WAIT) — if they do not confirm, throws
   * StoreUnavailableError: the caller must not be told the revocation is durable (it is applied
   * on the primary; a retry is idempotent). A no-op still appends its audit event.
   */
  revoke(input: RevokeInput): Promise<RevokeResult>;
  /** One page (see RevocationSnapshot); a cursor this store did not make throws InvalidCursorError. */
  revocationSnapshot(cursor?: string): Promise<RevocationSnapshot>;
  /** See IdentityBanState. */
  identityBan(principal: string, issuerId: string): Promise<IdentityBanState>;
  /**
   * Feed entries strictly after `afterId` ('0-0' for all), oldest first, at most `count` (1..1000).
   * A malformed `afterId` throws InvalidCursorError (a client error → 400).
   */
  readRevocations(afterId: string, count: number): Promise<RevocationPage>;
  /**
   * Resolves `true` as soon as the feed holds an entry strictly after `afterId` (at once if it
   * already does), `false` when `timeoutMs` (1..600000) passes first or `signal` aborts. A wake-up
   * only says "read now": the caller reads with readRevocations, which checks the dataset marker
   * and reports gaps. Redis: XREAD BLOCK on a dedicated connection, kept only while a wait is
   * pending or a passed `signal` has not aborted (abort it when done following); a wait that
   * outlives its timeout by the command timeout throws StoreUnavailableError. Memory: an
   * in-process notification on append. A malformed `afterId` throws InvalidCursorError.
   */
  waitForRevocations(afterId: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
}

// ---- Runtime checks (introspection, authorize) ------------------------------------------------

/** The facts of a verified writ the store needs to decide whether it is still live. */
export interface WritLivenessInput {
  jti: string;
  task_id: string;
  /** Ancestors, root first. */
  chain: string[];
  gen: number;
  /** sub, client_id and every actor: principal revocations apply to any of them. */
  principals: string[];
  /** Issuer ids of those principals (`spiffe:<td>`, `oidc:<name>`). */
  issuers: string[];
}

// The liveness answer and its reasons are @writ/claims' (the rules shared with @writ/verifier).
export type { LivenessReason, LivenessResult } from '@writ/claims';

export interface AuthorizeActionInput extends WritLivenessInput {
  tool: string;
  /**
   * The event to append; the store sets `type` (`action.allowed` / `action.denied`) and `decision`
   * to the outcome it reached, and on a denial `reasons` to the result's reasons.
   */
  audit: AuditEvent;
}

export interface BudgetLeft {
  /** Smallest remaining total budget across the task and its ancestors; absent when none is set. */
  total?: number;
  /** Smallest remaining budget for this tool across the task and its ancestors; absent when none. */
  tool?: number;
}

export interface AuthorizeActionResult {
  decision: 'allow' | 'deny';
  /** Liveness reason or `budget_exhausted:total:<task>` / `budget_exhausted:tool:<tool>:<task>`. */
  reasons: string[];
  budget_left: BudgetLeft;
}

export interface TaskUsage {
  total: number;
  per_tool: Record<string, number>;
}

export interface RuntimeStore {
  checkWritLive(input: WritLivenessInput): Promise<LivenessResult>;
  /**
   * One atomic step: liveness (as checkWritLive), then the budgets of the task and of every
   * ancestor that has one (total and per tool), then — if all allow — one unit taken from each,
   * and the audit event with the final decision. Exactly one audit event per call.
   */
  authorizeAction(input: AuthorizeActionInput): Promise<AuthorizeActionResult>;
  getTaskUsage(id: string): Promise<TaskUsage>;
}

// ---- Operator reads ------------------------------------------------------------------------

export interface TaskListQuery {
  principal?: string;
  /** Opaque, from a previous page. */
  cursor?: string;
  limit: number;
}

export interface Page<T> {
  items: T[];
  next_cursor?: string;
}

export interface AuditQuery {
  task_id?: string;
  principal?: string;
  decision?: 'allow' | 'deny' | 'info';
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, inclusive. */
  to?: number;
  cursor?: string;
  limit: number;
}

export interface StoredAuditEvent extends AuditEvent {
  /** Stream id. */
  id: string;
}

export interface OperatorReadStore {
  /**
   * Tasks still retained, newest first, optionally of one principal (sub or client_id); limit
   * 1..200. A cursor the store did not make throws InvalidCursorError (a client error → 400).
   */
  listTasks(query: TaskListQuery): Promise<Page<TaskRecord>>;
  getTaskWrits(id: string): Promise<WritRecord[]>;
  /** Direct children (delegated tasks). */
  getTaskChildren(id: string): Promise<string[]>;
  /**
   * Newest first; scans at most 5000 stream entries per call and pages with a cursor (so a page
   * may hold fewer than `limit` events and still have a next_cursor); limit 1..1000. `from`/`to`
   * compare with each event's `time`. A bad cursor throws InvalidCursorError.
   */
  queryAudit(query: AuditQuery): Promise<Page<StoredAuditEvent>>;
}

// ---- Operator keys -------------------------------------------------------------------------

/** `feed`: the revocation snapshot and feed only — the least a downstream verifier needs. */
export type OperatorRole = 'admin' | 'revoke' | 'read' | 'introspect' | 'feed';

export interface OperatorKeyRecord {
  /** The public part of `writ_<id>_<secret>`. */
  id: string;
  name: string;
  roles: OperatorRole[];
  /** argon2id PHC string of the secret; the secret itself is never stored. */
  hash: string;
  status: 'active' | 'disabled';
  /** Epoch seconds. */
  created_at: number;
  updated_at: number;
  /** Epoch seconds after which the key is refused; none: no expiry. */
  expires_at?: number;
  /** Epoch seconds of the last successful use (written at most about once a minute). */
  last_used_at?: number;
  /** After a rotation with an overlap: the previous secret's hash, accepted until `previous_hash_until`. */
  previous_hash?: string;
  previous_hash_until?: number;
}

export type RotateOperatorKeyResult = 'rotated' | 'missing' | 'disabled';

export interface OperatorKeyStore {
  /** False when a key with that id exists. Writes the audit event in the same step. */
  createOperatorKey(record: OperatorKeyRecord, audit: AuditEvent): Promise<boolean>;
  /**
   * Creates the first admin key only if no key was ever bootstrapped (a marker key, so "print one
   * admin key once and never again" holds across restarts and replicas). False otherwise.
   */
  bootstrapOperatorKey(record: OperatorKeyRecord, audit: AuditEvent): Promise<boolean>;
  getOperatorKey(id: string): Promise<OperatorKeyRecord | null>;
  listOperatorKeys(): Promise<OperatorKeyRecord[]>;
  /** Disable, or rotate (new hash); false when the key does not exist. Audited in the same step. */
  updateOperatorKey(
    id: string,
    patch: { status?: 'active' | 'disabled'; hash?: string; updated_at: number },
    audit: AuditEvent,
  ): Promise<boolean>;
  /**
   * A new secret hash for an active key, audited in the same step. With `previousUntil`, the hash
   * being replaced stays accepted until then (the rotation overlap); without, it is dropped.
   * A disabled key is not rotated.
   */
  rotateOperatorKey(
    id: string,
    rotation: { hash: string; updated_at: number; previousUntil?: number },
    audit: AuditEvent,
  ): Promise<RotateOperatorKeyResult>;
  /** Removes the key (and its id from the key set) with its audit event; false when it does not exist. */
  deleteOperatorKey(id: string, audit: AuditEvent): Promise<boolean>;
  /** Best effort, no audit event: records a use time on an existing key (never re-creates one). */
  touchOperatorKey(id: string, usedAt: number): Promise<void>;
}

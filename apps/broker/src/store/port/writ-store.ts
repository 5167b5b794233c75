import type { AuditEvent } from '../../audit/audit-event.js';
import type {
  OperatorKeyStore,
  OperatorReadStore,
  RevocationStore,
  RuntimeStore,
  WritLivenessInput,
} from './operations.js';
import type { TaskRecord, WritRecord } from './task-records.js';

export interface CommitIssuanceInput {
  /** Written when `createTask` is true; otherwise it must already exist and be live. */
  task: TaskRecord;
  createTask: boolean;
  writ: WritRecord;
  audit: AuditEvent;
  /** Task ids (ancestors) that must all exist and be live for the commit to happen. */
  requireLive: string[];
  /**
   * The writ being exchanged (re-exchange, delegation), checked in the same atomic step: its record
   * exists and is not revoked and no generation revocation covers it — so a revocation landing
   * between the caller's liveness check and the commit cannot be dodged. Its task and ancestors
   * belong in `requireLive`.
   */
  subject?: WritLivenessInput;
  /**
   * The handoff being accepted (docs/handoff.md): its jti is consumed in the same atomic step that
   * creates the child task, so of two concurrent acceptances exactly one commits. `until` (epoch
   * s) is how long the consumed mark is kept: at least until the handoff's `exp`.
   */
  consumeHandoff?: { jti: string; until: number };
}

/**
 * `generation_changed`: a principal/issuer/global revocation happened between reading the
 * generation and committing; the caller re-reads it, re-signs and tries once more.
 * `subject_not_live`: the subject writ was revoked (by jti or a generation) before the commit.
 * `handoff_used`: the handoff in `consumeHandoff` was already consumed.
 */
export type CommitIssuanceResult =
  | { ok: true }
  | {
      ok: false;
      reason: 'task_not_live' | 'task_exists' | 'generation_changed' | 'subject_not_live' | 'handoff_used';
    };

export interface RateLimitResult {
  allowed: boolean;
  remaining: number;
  retryAfterSeconds: number;
}

/**
 * The broker's state port. Implementations: Redis (production) and memory (dev mode, tests).
 * Every method either does what it says or throws StoreUnavailableError (→ 503); none half-writes.
 */
export interface WritStore extends RevocationStore, RuntimeStore, OperatorReadStore, OperatorKeyStore {
  /** At start: refuse unsafe Redis settings, create or verify the dataset marker. */
  init(): Promise<void>;
  /** For /readyz: throws StoreUnavailableError or DatasetLostError when not ready. */
  checkReady(): Promise<void>;
  /** The current revocation generation (≥ 1); new writs carry it as `gen`. */
  currentGeneration(): Promise<number>;
  /**
   * Task record, writ record, indexes (principal's tasks, parent's children) and audit event in
   * one atomic step, after the liveness and generation checks (writ.gen must equal the current one).
   */
  commitIssuance(input: CommitIssuanceInput): Promise<CommitIssuanceResult>;
  appendAudit(event: AuditEvent): Promise<void>;
  getTask(id: string): Promise<TaskRecord | null>;
  /**
   * True only if every id names a task that exists, is live and has not expired. No request path
   * calls it (they use checkWritLive, which also covers the writ and generations); it stays as the
   * store contract suite's store-agnostic probe of a chain's liveness after commits and revocations.
   */
  areTasksLive(ids: string[]): Promise<boolean>;
  /**
   * Marks a live task quarantined, appends its revocation feed entry and the audit event,
   * atomically (a quarantine is a revocation). False if the task was not live; then nothing is
   * written (unlike revoke, which audits a no-op too).
   */
  quarantineTask(id: string, audit: AuditEvent): Promise<boolean>;
  /** Fixed-window counter, atomic. */
  takeRateLimit(key: string, limit: number, windowSeconds: number): Promise<RateLimitResult>;
  /**
   * Most recent audit events first (bounded stream), without ids or filters. Operators read through
   * queryAudit; this stays as the contract suite's probe of exactly what one step wrote (the
   * paged query may return fewer events per page by design).
   */
  readAudit(limit: number): Promise<AuditEvent[]>;
  close(): Promise<void>;
}

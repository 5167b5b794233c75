import { type Clock, systemClock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { WritStore } from '../store/index.js';
import type { AuditEvent } from './audit-event.js';
import { withClientRequestId } from './client-request-ids.js';
import {
  createUnauthenticatedBudget,
  type SuppressedCount,
  type UnauthenticatedBudgetOptions,
} from './unauthenticated-budget.js';

export interface AuditLog {
  /** A named log line only; used when the event is already part of an atomic store write. */
  log(event: AuditEvent): void;
  /**
   * Records a denial. A deny is safe whatever happens, so a store failure is logged, not thrown:
   * the caller still answers with its refusal.
   */
  deny(event: AuditEvent, options?: DenyOptions): Promise<void>;
}

export interface DenyOptions {
  /**
   * The peer address, set only when no credential was verified yet. Such denials are budgeted
   * per source: past the budget they are a named log line only, and one `audit.suppressed`
   * event later records how many were left out of the store.
   */
  source?: string;
}

export interface AuditLogOptions {
  store: WritStore;
  logger: Logger;
  clock?: Clock;
  unauthenticated?: Omit<UnauthenticatedBudgetOptions, 'clock'>;
}

export function createAuditLog(options: AuditLogOptions): AuditLog {
  const { store, logger } = options;
  const clock = options.clock ?? systemClock;
  const budget = createUnauthenticatedBudget({ ...options.unauthenticated, clock });
  const log = (event: AuditEvent) => logger.info({ audit: withClientRequestId(event) }, event.type);
  const append = async (event: AuditEvent) => {
    try {
      await store.appendAudit(event);
    } catch (err) {
      logger.error({ err, audit_type: event.type, request_id: event.request_id }, 'audit write failed');
    }
  };
  const summaryOf = (count: SuppressedCount, requestId: string): AuditEvent => ({
    type: 'audit.suppressed',
    time: clock.nowMs(),
    request_id: requestId,
    decision: 'info',
    reasons: ['unauthenticated_flood'],
    detail: { source: count.source, suppressed: count.suppressed },
  });

  return {
    log,
    async deny(event, denyOptions = {}) {
      const { source } = denyOptions;
      const stored = source === undefined || budget.take(source);
      if (source === undefined) log(event);
      else logger.info({ audit: withClientRequestId(event), source, audit_stored: stored }, event.type);
      for (const count of budget.drainSuppressed()) {
        const summary = summaryOf(count, event.request_id);
        log(summary);
        await append(summary);
      }
      if (stored) await append(event);
    },
  };
}

import type { Logger } from '../shared/logger.js';
import type { WritStore } from '../store/ports.js';
import type { AuditEvent } from './audit-event.js';

export interface AuditLog {
  /** A named log line only; used when the event is already part of an atomic store write. */
  log(event: AuditEvent): void;
  /**
   * Records a denial. A deny is safe whatever happens, so a store failure is logged, not thrown:
   * the caller still answers with its refusal.
   */
  deny(event: AuditEvent): Promise<void>;
}

export function createAuditLog(options: { store: WritStore; logger: Logger }): AuditLog {
  const { store, logger } = options;
  const log = (event: AuditEvent) => logger.info({ audit: event }, event.type);
  return {
    log,
    async deny(event) {
      log(event);
      try {
        await store.appendAudit(event);
      } catch (err) {
        logger.error({ err, audit_type: event.type, request_id: event.request_id }, 'audit write failed');
      }
    },
  };
}

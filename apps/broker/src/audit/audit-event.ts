/**
 * Every kind of audit event, closed: docs/operator-api.md lists the same names (a test compares).
 */
export const AUDIT_EVENT_TYPES = [
  'task.started',
  'task.delegated',
  'handoff.issued',
  'writ.issued',
  'exchange.denied',
  'exchange.scope_violation',
  'delegation.denied',
  'action.allowed',
  'action.denied',
  'task.quarantined',
  'task.completed',
  'task.revoked',
  'writ.revoked',
  'principal.revoked',
  'issuer.revoked',
  'all.revoked',
  'revocation.denied',
  'writ.introspected',
  'operator.auth_failed',
  'operator.denied',
  'operator_key.bootstrapped',
  'operator_key.created',
  'operator_key.rotated',
  'operator_key.disabled',
  'operator_key.deleted',
  'audit.suppressed',
] as const;

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/**
 * One audited decision or action. Carries ids, never a token or a key. Names are dotted verbs
 * in the past tense or a decision (`writ.issued`, `exchange.denied`, `task.quarantined`).
 */
export interface AuditEvent {
  type: AuditEventType;
  /** Epoch milliseconds. */
  time: number;
  /** Server-generated id of the request that caused it (its `X-Request-Id` answer header). */
  request_id: string;
  /** The `X-Request-Id` the client sent, if any: its own correlation id, never trusted as ours. */
  client_request_id?: string;
  decision: 'allow' | 'deny' | 'info';
  reasons: string[];
  principal?: string;
  /** RFC 8693 actor chain, current actor first. */
  actor_chain?: string[];
  operator_key_id?: string;
  task_id?: string;
  jti?: string;
  audience?: string;
  /** Small flat facts only (counts, names); never token material. */
  detail?: Record<string, string | number | boolean>;
}

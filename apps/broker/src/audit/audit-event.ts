/**
 * One audited decision or action. Carries ids, never a token or a key. Names are dotted verbs
 * in the past tense or a decision (`writ.issued`, `exchange.denied`, `task.quarantined`).
 */
export interface AuditEvent {
  type: string;
  /** Epoch milliseconds. */
  time: number;
  request_id: string;
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

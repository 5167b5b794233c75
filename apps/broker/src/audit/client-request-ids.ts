import type { AuditEvent } from './audit-event.js';

/**
 * The `X-Request-Id` a client sent, by the server-generated request id of its request, while the
 * request runs. Every audit event names its request by `request_id`, so the one encoding point of
 * stored events (and the audit log line) can add the client's id without each domain threading
 * it through. Entries live only as long as their request: the map holds in-flight requests only.
 */
const byRequestId = new Map<string, string>();

/** Records the client's id for `requestId`; call the returned function when the request ends. */
export function rememberClientRequestId(requestId: string, clientRequestId: string): () => void {
  byRequestId.set(requestId, clientRequestId);
  return () => byRequestId.delete(requestId);
}

/** The event with `client_request_id` set when its request came with one. */
export function withClientRequestId(event: AuditEvent): AuditEvent {
  if (event.client_request_id !== undefined) return event;
  const clientRequestId = byRequestId.get(event.request_id);
  return clientRequestId === undefined ? event : { ...event, client_request_id: clientRequestId };
}

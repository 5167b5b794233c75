import { actorChain, type WritClaims } from '@writ/claims';
import type { AuditEvent } from './audit-event.js';

/** Ids a verified writ contributes to an audit event (never the writ itself). */
export function writFacts(claims: WritClaims): Partial<AuditEvent> {
  const actors = actorChain(claims.act);
  return {
    principal: claims.sub,
    ...(actors.length > 0 ? { actor_chain: actors } : {}),
    task_id: claims.task.id,
    jti: claims.jti,
    audience: claims.aud,
  };
}

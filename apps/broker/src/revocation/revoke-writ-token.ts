import type { WritClaims } from '@writ/claims';
import { writFacts } from '../audit/writ-facts.js';
import { WritVerificationError } from '../signing/index.js';
import { endTaskOfWrit } from './end-task-of-writ.js';
import type { RevocationDeps } from './revocation-deps.js';

/**
 * RFC 7009 revocation of a writ: its whole task ends (status `revoked`), and every descendant
 * with it. RFC 7009 §2.2: an invalid, expired, unknown or already revoked token is not an error
 * (the client's goal is reached), so it changes nothing and is not audited — except a writ that
 * verifies but names a task we do not know, which points at lost state or a foreign signer.
 * Throws only when the store cannot answer (→ 503, RFC 7009 §2.2.1).
 */
export async function revokeWritToken(
  deps: Pick<RevocationDeps, 'store' | 'audit' | 'clock' | 'writs'>,
  input: { token: string; requestId: string },
): Promise<void> {
  let claims: WritClaims;
  try {
    claims = await deps.writs.verify(input.token);
  } catch (err) {
    if (err instanceof WritVerificationError) return;
    throw err;
  }
  const result = await endTaskOfWrit(deps, {
    claims,
    status: 'revoked',
    reason: 'rfc7009',
    requestId: input.requestId,
  });
  if (result.outcome === 'task_unknown') {
    await deps.audit.deny({
      type: 'revocation.denied',
      time: deps.clock.nowMs(),
      request_id: input.requestId,
      decision: 'deny',
      reasons: ['task_unknown'],
      ...writFacts(claims),
      detail: { endpoint: 'oauth2_revoke' },
    });
  }
}

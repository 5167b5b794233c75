import { issuersOf, principalsOf, type WritClaims } from '@writ/claims';
import type { LivenessResult, WritLivenessInput } from '../store/ports.js';
import type { RuntimeDeps } from './runtime-deps.js';

export interface CheckedWrit {
  claims: WritClaims;
  liveness: LivenessResult;
}

/** The facts of a verified writ the store decides liveness from. */
export function livenessInputOf(claims: WritClaims): WritLivenessInput {
  return {
    jti: claims.jti,
    task_id: claims.task.id,
    chain: [...claims.task.chain],
    gen: claims.gen,
    principals: principalsOf(claims),
    issuers: issuersOf(claims),
  };
}

/** Signature, encoding, `typ`, issuer, time and claim shape; throws WritVerificationError. */
export async function verifyWrit(deps: Pick<RuntimeDeps, 'writs'>, token: string): Promise<WritClaims> {
  return deps.writs.verify(token);
}

/**
 * Verifies a writ (signature, `typ`, issuer, time, claim shape), then asks the store whether it
 * is still live. Three outcomes the caller must keep apart: WritVerificationError (not a valid
 * writ), `liveness.live === false` (valid but no longer live), and StoreUnavailableError (the
 * answer is unknown → 503; never read as "inactive" or "allow").
 */
export async function verifyLiveWrit(
  deps: Pick<RuntimeDeps, 'writs' | 'store'>,
  token: string,
): Promise<CheckedWrit> {
  const claims = await verifyWrit(deps, token);
  const liveness = await deps.store.checkWritLive(livenessInputOf(claims));
  return { claims, liveness };
}

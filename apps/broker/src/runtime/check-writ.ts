import { issuersOf, principalsOf, type WritClaims } from '@writ/claims';
import type { WritLivenessInput } from '../store/ports.js';
import type { RuntimeDeps } from './runtime-deps.js';

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

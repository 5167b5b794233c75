import { issuersOf, principalsOf, type WritClaims } from '@writ/claims';
import type { WritLivenessInput } from '../store/index.js';

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

import type { ActClaim } from './act-claim.js';
import type { WritClaims } from './writ-claims.js';

/**
 * The actor presenting the writ (RFC 8693 §4.1: the outermost `act`), if any.
 *
 * @example
 * ```ts
 * currentActor(claims)?.sub; // the workload presenting a delegated writ
 * ```
 */
export function currentActor(claims: WritClaims): ActClaim | undefined {
  return claims.act;
}

/**
 * How many delegations separate this writ's task from its root task.
 *
 * @example
 * ```ts
 * delegationDepth(claims); // 0 for a root writ, 1 for its worker's
 * ```
 */
export function delegationDepth(claims: WritClaims): number {
  return claims.task.chain.length;
}

/**
 * The `sub` of every actor, current actor first.
 *
 * @example
 * ```ts
 * actorChain({ sub: 'worker', act: { sub: 'orchestrator' } }); // ['worker', 'orchestrator']
 * ```
 */
export function actorChain(act?: ActClaim): string[] {
  const subs: string[] = [];
  for (let current = act; current !== undefined; current = current.act) subs.push(current.sub);
  return subs;
}

/**
 * Makes `newActor` the current actor with `previous` nested as the prior chain (RFC 8693 §4.1).
 *
 * @example
 * ```ts
 * nestAct({ sub: 'worker', client_id: 'w-1' }, { sub: 'orchestrator' });
 * // { sub: 'worker', client_id: 'w-1', act: { sub: 'orchestrator' } }
 * ```
 */
export function nestAct(newActor: { sub: string; client_id?: string }, previous?: ActClaim): ActClaim {
  const act: ActClaim = { sub: newActor.sub };
  if (newActor.client_id !== undefined) act.client_id = newActor.client_id;
  if (previous !== undefined) act.act = previous;
  return act;
}

import type { WritLivenessInput } from '../port/index.js';
import { type LivenessFacts, toCount } from '../shared/liveness.js';
import type { MemoryContext } from './context.js';

/** What the memory store holds about one writ, read the way the Redis store reads it. */
export function readLivenessFacts(
  ctx: Pick<MemoryContext, 'clock' | 'keys' | 'keyspace'>,
  input: WritLivenessInput,
): LivenessFacts {
  const { clock, keys, keyspace } = ctx;
  const taskState = (id: string) => {
    const fields = keyspace.hashFields(keys.task(id));
    return { status: fields?.status ?? null, expires_at: fields?.expires_at ?? null };
  };
  const writ = keyspace.hashFields(keys.writ(input.task_id, input.jti));
  const principals = keyspace.hashFields(keys.revokedPrincipals) ?? {};
  const issuers = keyspace.hashFields(keys.revokedIssuers) ?? {};
  return {
    now: clock.nowSeconds(),
    writKnown: writ !== undefined,
    writRevoked: writ?.revoked === '1' || keyspace.sortedSetScore(keys.revokedWrits, input.jti) !== undefined,
    task: taskState(input.task_id),
    ancestors: input.chain.map(taskState),
    gen: input.gen,
    belowGens: [
      toCount(keyspace.getString(keys.revokedAll)),
      ...input.principals.map((p) => toCount(Object.hasOwn(principals, p) ? principals[p] : undefined)),
      ...input.issuers.map((i) => toCount(Object.hasOwn(issuers, i) ? issuers[i] : undefined)),
    ],
  };
}

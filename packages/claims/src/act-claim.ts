import { z } from 'zod';
import { LIMITS } from './constants.js';

/**
 * RFC 8693 §4.1 `act`: the outermost object is the current actor; each nested `act` is the
 * actor before it.
 */
export type ActClaim = { sub: string; client_id?: string | undefined; act?: ActClaim | undefined };

// Counted without recursion so that a hostile, deeply nested claim cannot exhaust the stack
// before the depth limit rejects it.
function measureActDepth(value: unknown): number {
  let depth = 0;
  let current = value;
  while (typeof current === 'object' && current !== null && depth <= LIMITS.maxActDepth) {
    depth += 1;
    current = (current as { act?: unknown }).act;
  }
  return depth;
}

const actObjectSchema: z.ZodType<ActClaim> = z.lazy(() =>
  z.strictObject({
    sub: z.string().min(1).max(1024),
    client_id: z.string().min(1).max(1024).optional(),
    act: actClaimSchema.optional(),
  }),
);

/**
 * Strict, recursive schema of {@link ActClaim}, nested at most `LIMITS.maxActDepth` deep.
 *
 * @example
 * ```ts
 * actClaimSchema.parse({ sub: 'spiffe://example.org/agents/worker' });
 * ```
 */
export const actClaimSchema: z.ZodType<ActClaim, unknown> = z
  .unknown()
  .refine((value) => measureActDepth(value) <= LIMITS.maxActDepth, {
    message: `act must not nest deeper than ${LIMITS.maxActDepth}`,
    abort: true,
  })
  .pipe(actObjectSchema);

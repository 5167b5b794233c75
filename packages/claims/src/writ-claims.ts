import { z } from 'zod';
import { actClaimSchema } from './act-claim.js';
import { agentTaskDetailSchema } from './authorization-details.js';
import { findForeignBudgetTools } from './budget.js';
import { dataClassAtMost, LIMITS } from './constants.js';
import { formatIssues } from './issues.js';
import { formatScope, parseScope } from './names.js';
import { ONLY_WHEN_VALID } from './schema-helpers.js';
import { taskClaimSchema } from './task-claim.js';

/**
 * RFC 9449 §6.1 `cnf`: the base64url SHA-256 JWK thumbprint (RFC 7638) of the DPoP key.
 *
 * @example
 * ```ts
 * cnfClaimSchema.parse({ jkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I' });
 * ```
 */
export const cnfClaimSchema = z.strictObject({
  jkt: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'jkt must be a base64url SHA-256 thumbprint'),
});

export type CnfClaim = z.infer<typeof cnfClaimSchema>;

const timestampSchema = z.int().nonnegative();

/**
 * The claims of a writ: an RFC 9068 access token scoped to one task.
 *
 * @example
 * ```ts
 * const claims = writClaimsSchema.parse(payload); // throws a ZodError when not a writ
 * ```
 */
export const writClaimsSchema = z
  .strictObject({
    iss: z.url({ protocol: /^https?$/ }),
    sub: z.string().min(1).max(LIMITS.maxPrincipalLength),
    client_id: z.string().min(1).max(LIMITS.maxPrincipalLength),
    // RFC 9068 §3 allows an array; Writ issues exactly one audience so a writ is never
    // accepted by a second service.
    aud: z.string().min(1).max(1024),
    iat: timestampSchema,
    nbf: timestampSchema,
    exp: timestampSchema,
    // ≥ 128 random bits in base64url (RFC 7519 §4.1.7 leaves the format open).
    jti: z.string().regex(/^[A-Za-z0-9_-]{22,128}$/, 'jti must be 22–128 base64url characters'),
    // Revocation generation at issuance: principal, issuer and "everything before now" revocations
    // name a generation, so they are ordered by a counter, never by clocks that drift.
    gen: z.int().min(1),
    scope: z.string(),
    authorization_details: z.tuple([agentTaskDetailSchema]),
    task: taskClaimSchema,
    act: actClaimSchema.optional(),
    cnf: cnfClaimSchema.optional(),
  })
  .superRefine((claims, ctx) => {
    const detail = claims.authorization_details[0];
    const scope = parseScope(claims.scope);
    if (!scope.ok) {
      ctx.addIssue({ code: 'custom', path: ['scope'], message: scope.error });
    } else if (claims.scope !== formatScope(detail.tools)) {
      ctx.addIssue({
        code: 'custom',
        path: ['scope'],
        message: 'scope must list exactly the tools of authorization_details[0], in order',
      });
    }
    if (claims.nbf > claims.exp) ctx.addIssue({ code: 'custom', path: ['nbf'], message: 'nbf is after exp' });
    if (claims.iat > claims.exp) ctx.addIssue({ code: 'custom', path: ['iat'], message: 'iat is after exp' });
    detail.data_classes.forEach((dc, index) => {
      if (!dataClassAtMost(dc, claims.task.data_class)) {
        ctx.addIssue({
          code: 'custom',
          path: ['authorization_details', 0, 'data_classes', index],
          message: `data class ${dc} is above task.data_class ${claims.task.data_class}`,
        });
      }
    });
    for (const tool of findForeignBudgetTools(claims.task.budget, detail.tools)) {
      ctx.addIssue({
        code: 'custom',
        path: ['task', 'budget', 'per_tool', tool],
        message: 'budget names a tool that is not in authorization_details[0].tools',
      });
    }
  }, ONLY_WHEN_VALID);

export type WritClaims = z.infer<typeof writClaimsSchema>;

export type ParseWritClaimsResult = { ok: true; claims: WritClaims } | { ok: false; issues: string[] };

/**
 * Validates a decoded JWT payload as writ claims. Never throws.
 *
 * @example
 * ```ts
 * const parsed = parseWritClaims(payload);
 * if (!parsed.ok) throw new InvalidTokenError(parsed.issues.join('; '));
 * parsed.claims.task.id;
 * ```
 */
export function parseWritClaims(input: unknown): ParseWritClaimsResult {
  const result = writClaimsSchema.safeParse(input);
  if (result.success) return { ok: true, claims: result.data };
  return { ok: false, issues: formatIssues(result.error) };
}

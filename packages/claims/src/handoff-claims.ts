import { z } from 'zod';
import { actClaimSchema } from './act-claim.js';
import { agentTaskDetailSchema, intentSchema } from './authorization-details.js';
import { budgetSchema } from './budget.js';
import { LIMITS } from './constants.js';
import { formatIssues } from './issues.js';
import { taskIdSchema } from './names.js';
import { ONLY_WHEN_VALID } from './schema-helpers.js';

/**
 * The JOSE `typ` of a handoff (docs/handoff.md): not `at+jwt`, so no writ verifier and no RFC
 * 9068 resource server takes a handoff for an access token.
 */
export const HANDOFF_TYP = 'writ-handoff+jwt';

/** RFC 8693 §3 token type of a handoff: its `issued_token_type`, and its `subject_token_type`. */
export const HANDOFF_TOKEN_TYPE = 'urn:writ:params:oauth:token-type:handoff';

/** A handoff lives at most this long (and never past the writ it was asked with). */
export const HANDOFF_MAX_LIFETIME_SECONDS = 60;

const timestampSchema = z.int().nonnegative();
const principalSchema = z.string().min(1).max(1024);
const jtiSchema = z.string().regex(/^[A-Za-z0-9_-]{22,128}$/, 'jti must be 22–128 base64url characters');

/**
 * The claims of a handoff: a single-use, broker-audience JWT an orchestrator asks for with its
 * writ, naming (RFC 8693 §4.4 `may_act`) the one worker that may exchange it, with its own
 * identity, for a child writ. The child's plan, audience and end are fixed in it when it is made.
 */
export const handoffClaimsSchema = z
  .strictObject({
    iss: z.url({ protocol: /^https?$/ }),
    // The broker itself: useless at any downstream that checks its audience.
    aud: z.string().min(1).max(1024),
    iat: timestampSchema,
    nbf: timestampSchema,
    exp: timestampSchema,
    jti: jtiSchema,
    /** The principal the parent task runs for (the child's `sub`). */
    sub: principalSchema,
    /** The parent task's client: the orchestrator that asked. */
    client_id: principalSchema,
    /** RFC 8693 §4.4: the only principal that may accept the handoff. */
    may_act: z.strictObject({ sub: principalSchema }),
    /** The parent writ's actor chain, for the child's nested `act` and for liveness. */
    act: actClaimSchema.optional(),
    /** The parent writ, re-checked for liveness when the handoff is accepted. */
    parent: z.strictObject({
      jti: jtiSchema,
      task_id: taskIdSchema,
      chain: z.array(taskIdSchema).max(LIMITS.maxChainDepth),
      gen: z.int().min(1),
      exp: timestampSchema,
    }),
    /** What the child gets: its audience, its end, its intent and budget... */
    child: z.strictObject({
      /** Fixed here so Cedar sees the same task id when the handoff is asked for and accepted. */
      task_id: taskIdSchema,
      aud: z.string().min(1).max(1024),
      expires_at: timestampSchema,
      intent: intentSchema,
      budget: budgetSchema.optional(),
    }),
    /** ...and its tools, resources and data classes (RFC 9396). */
    authorization_details: z.tuple([agentTaskDetailSchema]),
  })
  .superRefine((claims, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (claims.aud !== claims.iss) issue('aud', 'a handoff is addressed to the broker that made it');
    if (claims.nbf > claims.exp || claims.iat > claims.exp) issue('exp', 'exp is before iat or nbf');
    if (claims.exp - claims.iat > HANDOFF_MAX_LIFETIME_SECONDS) issue('exp', 'a handoff lives at most 60 s');
    if (claims.exp > claims.parent.exp) issue('exp', 'a handoff never outlives its parent writ');
    if (claims.child.expires_at > claims.parent.exp) {
      issue('child', 'the child never outlives its parent writ');
    }
  }, ONLY_WHEN_VALID);

export type HandoffClaims = z.infer<typeof handoffClaimsSchema>;

export type ParseHandoffClaimsResult = { ok: true; claims: HandoffClaims } | { ok: false; issues: string[] };

/** Validates a decoded JWT payload as handoff claims. Never throws. */
export function parseHandoffClaims(payload: unknown): ParseHandoffClaimsResult {
  const result = handoffClaimsSchema.safeParse(payload);
  return result.success
    ? { ok: true, claims: result.data }
    : { ok: false, issues: formatIssues(result.error) };
}

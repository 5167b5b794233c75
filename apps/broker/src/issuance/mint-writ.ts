import {
  type ActClaim,
  AUTHORIZATION_DETAILS_TYPE,
  actorChain,
  type Budget,
  type DataClass,
  formatScope,
  parseWritClaims,
  TOKEN_TYPE,
  WRIT_TYP,
  type WritClaims,
} from '@writ/claims';
import type { AuditEventType } from '../audit/audit-event.js';
import { invalidRequest, OAuthError, temporarilyUnavailable } from '../errors.js';
import type { TaskRecord, WritLivenessInput } from '../store/index.js';
import { generationOfChecks, recheckIdentities } from './identity-ban.js';
import { newRandomId } from './ids.js';
import type { IssuanceDeps } from './issuance-deps.js';
import type { TokenExchangeRequest, TokenExchangeResult } from './token-request.js';

export interface MintWritInput {
  /** The revocation generation, read early (prefetchGeneration) to save a round trip. */
  generation: Promise<number>;
  task: TaskRecord;
  createTask: boolean;
  /** Ancestors that must still be live when the writ is committed. */
  requireLive: string[];
  /**
   * The writ being exchanged (re-exchange, delegation): the store re-checks it in the commit, so
   * a revocation landing after verifyLiveWrit — or during a generation retry — is not dodged.
   */
  subject?: WritLivenessInput;
  audience: string;
  tools: string[];
  resources: string[];
  data_classes: DataClass[];
  act?: ActClaim;
  /** The handoff being accepted: consumed in the same commit that creates the child task. */
  consumeHandoff?: { jti: string; until: number };
  /** Epoch seconds; never later than the task's own end. */
  expiresAt: number;
}

/** The task's budget as a writ for `tools` shows it: per-tool limits of other tools are not its business. */
function budgetForTools(budget: Budget, tools: string[]): Budget {
  if (!budget.per_tool) return budget;
  const perTool = Object.fromEntries(
    Object.entries(budget.per_tool).filter(([tool]) => tools.includes(tool)),
  );
  return {
    ...(budget.total !== undefined ? { total: budget.total } : {}),
    ...(Object.keys(perTool).length ? { per_tool: perTool } : {}),
  };
}

/** Starts reading the generation now; a rejection is handled by whoever awaits it, never unhandled. */
export function prefetchGeneration(deps: IssuanceDeps): Promise<number> {
  const generation = deps.store.currentGeneration();
  generation.catch(() => undefined);
  return generation;
}

/**
 * Builds, checks, signs and commits one writ. The writ is returned only after the task record,
 * writ record and audit event are committed together (docs/architecture.md §7).
 */
export async function mintWrit(
  deps: IssuanceDeps,
  req: TokenExchangeRequest,
  input: MintWritInput,
): Promise<TokenExchangeResult> {
  // A principal/issuer/global revocation between reading the generation and committing makes
  // the commit refuse; one retry re-reads it. A second refusal means revocations are racing us.
  // The retry cannot revive a revoked subject: the commit re-checks it every time.
  // Identity tokens checked for bans in this exchange: the first commit uses the generation read
  // with those checks (never a later one, which could post-date a ban they did not see), and a
  // retry checks them again.
  for (let attempt = 1; ; attempt++) {
    const gen =
      attempt === 1
        ? (generationOfChecks(req) ?? (await input.generation))
        : ((await recheckIdentities(deps, req)) ?? (await deps.store.currentGeneration()));
    const result = await mintOnce(deps, req, input, gen);
    if (result !== 'generation_changed') return result;
    if (attempt === 2) throw temporarilyUnavailable();
  }
}

async function mintOnce(
  deps: IssuanceDeps,
  req: TokenExchangeRequest,
  input: MintWritInput,
  gen: number,
): Promise<TokenExchangeResult | 'generation_changed'> {
  const now = deps.clock.nowSeconds();
  const { task } = input;
  const exp = Math.min(input.expiresAt, task.expires_at);
  const jti = newRandomId();
  const details = {
    type: AUTHORIZATION_DETAILS_TYPE as typeof AUTHORIZATION_DETAILS_TYPE,
    tools: input.tools,
    resources: input.resources,
    data_classes: input.data_classes,
  };
  const claims: WritClaims = {
    iss: deps.settings.issuer,
    sub: task.principal,
    client_id: task.client_id,
    aud: input.audience,
    iat: now,
    nbf: now,
    exp,
    jti,
    gen,
    scope: formatScope(input.tools),
    authorization_details: [details],
    task: {
      id: task.id,
      ...(task.parent ? { parent: task.parent } : {}),
      chain: task.chain,
      intent: task.intent,
      data_class: task.data_class,
      ...(task.budget ? { budget: budgetForTools(task.budget, input.tools) } : {}),
    },
    ...(input.act ? { act: input.act } : {}),
  };
  // Never sign what our own schema would refuse to read back.
  const checked = parseWritClaims(claims);
  if (!checked.ok) {
    deps.logger.error({ issues: checked.issues, task_id: task.id }, 'refusing to sign invalid writ claims');
    throw new OAuthError(500, 'server_error', 'internal error');
  }
  const token = await deps.keyRing.sign(checked.claims, WRIT_TYP);
  const actors = actorChain(input.act);
  const eventType: AuditEventType = input.createTask
    ? task.parent
      ? 'task.delegated'
      : 'task.started'
    : 'writ.issued';
  const audit = {
    type: eventType,
    time: deps.clock.nowMs(),
    request_id: req.requestId,
    decision: 'allow' as const,
    reasons: [],
    principal: task.principal,
    ...(actors.length ? { actor_chain: actors } : {}),
    task_id: task.id,
    jti,
    audience: input.audience,
    detail: { tools: input.tools.length, expires_in: exp - now },
  };
  const committed = await deps.store.commitIssuance({
    task,
    createTask: input.createTask,
    requireLive: input.requireLive,
    ...(input.subject ? { subject: input.subject } : {}),
    ...(input.consumeHandoff ? { consumeHandoff: input.consumeHandoff } : {}),
    writ: {
      jti,
      task_id: task.id,
      audience: input.audience,
      tools: input.tools,
      principal: task.principal,
      client_id: task.client_id,
      actor_chain: actors,
      issued_at: now,
      expires_at: exp,
      gen,
    },
    audit,
  });
  if (!committed.ok && committed.reason === 'generation_changed') return 'generation_changed';
  if (!committed.ok) {
    // A revocation or quarantine won the race with this exchange: refuse, and say so in the trail.
    // The refused writ was never stored: its jti must not send an investigator looking for it.
    const { jti: _unissued, ...refused } = audit;
    await deps.audit.deny({
      ...refused,
      ...(input.subject ? { jti: input.subject.jti } : {}),
      type: 'exchange.denied',
      decision: 'deny',
      reasons: [committed.reason],
    });
    throw committed.reason === 'handoff_used'
      ? invalidRequest('the handoff was already used', 'handoff_used')
      : invalidRequest(
          committed.reason === 'subject_not_live'
            ? 'subject_token is no longer live'
            : 'the task or an ancestor is no longer live',
        );
  }
  deps.audit.log(audit);
  return {
    access_token: token,
    issued_token_type: TOKEN_TYPE.accessToken,
    token_type: 'Bearer',
    expires_in: exp - now,
    scope: claims.scope,
    authorization_details: [details],
  };
}

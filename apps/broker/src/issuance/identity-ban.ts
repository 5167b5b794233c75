import type { AuditEvent } from '../audit/audit-event.js';
import { invalidClient, invalidRequest } from '../errors.js';
import type { WorkloadIdentity } from '../identity/index.js';
import { isBannedIdentity } from '../revocation/identity-ban.js';
import type { IdentityBanState } from '../store/index.js';
import type { IssuanceDeps } from './issuance-deps.js';
import type { TokenExchangeRequest } from './token-request.js';

export type IdentityRole = 'subject_token' | 'actor_token' | 'client_assertion';
type Facts = Partial<Omit<AuditEvent, 'type' | 'time' | 'request_id' | 'decision' | 'reasons'>>;

interface Checked {
  identity: WorkloadIdentity;
  role: IdentityRole;
  facts: Facts;
}

/**
 * The identities each exchange has checked, with the generation read alongside the first check.
 * mintWrit commits under that generation, so a revocation after the check fails the commit
 * (`generation_changed`), and its retry checks every identity again (recheckIdentities).
 */
const checkedByRequest = new WeakMap<TokenExchangeRequest, { generation: number; checked: Checked[] }>();

/** Starts reading the ban state of an identity now (a rejection is left to whoever awaits it). */
export function readIdentityBan(deps: IssuanceDeps, identity: WorkloadIdentity): Promise<IdentityBanState> {
  const state = deps.store.identityBan(identity.principal, identity.issuerId);
  state.catch(() => undefined);
  return state;
}

/**
 * Refuses an identity token that a principal, issuer or `all` revocation bans (docs/revocation.md):
 * one `exchange.denied` event with reason `identity_revoked`, then 400 invalid_request; nothing
 * else is written. Call it wherever a workload identity is accepted — verifyWorkload does, so
 * every path that verifies an identity through it gets the ban. Returns the generation read with
 * the ban (read first, in the same step), which is what the writ must be committed under.
 * `prefetched`: a read started earlier (readIdentityBan), to share a round trip.
 */
export async function checkIdentityNotBanned(
  deps: IssuanceDeps,
  req: TokenExchangeRequest,
  identity: WorkloadIdentity,
  role: IdentityRole,
  facts: Facts = {},
  prefetched?: Promise<IdentityBanState>,
): Promise<number> {
  const state = await (prefetched ?? readIdentityBan(deps, identity));
  if (isBannedIdentity(identity, state.bannedSinceMs, deps.clock.nowMs())) {
    await deps.audit.deny({
      type: 'exchange.denied',
      time: deps.clock.nowMs(),
      request_id: req.requestId,
      decision: 'deny',
      reasons: ['identity_revoked'],
      ...facts,
      principal: facts.principal ?? identity.principal,
      ...(role === 'actor_token' ? { actor_chain: [identity.principal] } : {}),
      detail: { token: role, issuer: identity.issuerId },
    });
    const description = `${role} was issued before a revocation of its principal or issuer: present a freshly issued identity`;
    // RFC 6749 §5.2: a client assertion that does not authenticate the client is invalid_client.
    throw role === 'client_assertion' ? invalidClient(description) : invalidRequest(description);
  }
  const seen = checkedByRequest.get(req);
  if (seen) seen.checked.push({ identity, role, facts });
  else checkedByRequest.set(req, { generation: state.generation, checked: [{ identity, role, facts }] });
  return state.generation;
}

/**
 * The generation read with this exchange's first identity check, if it made one: a writ committed
 * under it cannot miss a revocation that landed after the check.
 */
export function generationOfChecks(req: TokenExchangeRequest): number | undefined {
  return checkedByRequest.get(req)?.generation;
}

/**
 * After a `generation_changed` commit: a revocation landed since the checks. Checks every identity
 * of this exchange again, in order, and returns the generation read with the first (or undefined
 * when the exchange presented none).
 */
export async function recheckIdentities(
  deps: IssuanceDeps,
  req: TokenExchangeRequest,
): Promise<number | undefined> {
  const previous = checkedByRequest.get(req);
  if (previous === undefined) return undefined;
  checkedByRequest.delete(req);
  let generation: number | undefined;
  for (const { identity, role, facts } of previous.checked) {
    const read = await checkIdentityNotBanned(deps, req, identity, role, facts);
    generation ??= read;
  }
  return generation;
}

import type { JWTPayload } from 'jose';
import { IdentityError } from './errors.js';
import type { OidcIssuerConfig } from './issuer-config.js';
import type { AttributeValue, WorkloadIdentity } from './workload-identity.js';

type VerifiedTimes = Pick<WorkloadIdentity, 'issuedAt' | 'expiresAt' | 'tokenId' | 'maxTokenAgeSeconds'>;

const MAX_PRINCIPAL_LENGTH = 512;
// The principal names store keys, index entries and policy entities: braces would break a Redis
// Cluster hash tag, and whitespace or control characters have no place in an identifier.
const FORBIDDEN_IN_PRINCIPAL = /[{}\s\p{Cc}\p{Cf}]/u;

function isAcceptablePrincipal(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= MAX_PRINCIPAL_LENGTH &&
    !FORBIDDEN_IN_PRINCIPAL.test(value)
  );
}

function claimAsText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Like Vault's `bound_claims`: every listed claim must be present and equal one of its values. */
function satisfiesBoundClaims(config: OidcIssuerConfig, payload: JWTPayload): boolean {
  return Object.entries(config.bound_claims ?? {}).every(([claim, allowed]) => {
    const actual = Object.hasOwn(payload, claim) ? claimAsText(payload[claim]) : undefined;
    if (actual === undefined) return false;
    return typeof allowed === 'string' ? actual === allowed : allowed.includes(actual);
  });
}

function asAttribute(value: unknown): AttributeValue | undefined {
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return [...value];
  return undefined;
}

/**
 * Maps a verified OIDC token to a principal namespaced by the issuer's configured name, so the
 * same `sub` from two issuers never names the same principal.
 */
export function toOidcIdentity(
  config: OidcIssuerConfig,
  payload: JWTPayload,
  times: VerifiedTimes,
): WorkloadIdentity {
  if (!satisfiesBoundClaims(config, payload)) throw new IdentityError('bound_claim_mismatch');
  const principalValue = Object.hasOwn(payload, config.principal_claim)
    ? payload[config.principal_claim]
    : undefined;
  if (principalValue === undefined) throw new IdentityError('missing_claim');
  if (!isAcceptablePrincipal(principalValue)) throw new IdentityError('bad_subject');
  if (typeof payload.sub !== 'string' || payload.sub === '') throw new IdentityError('bad_subject');
  const attributes: Record<string, AttributeValue> = {};
  for (const claim of config.attribute_claims ?? []) {
    const value = Object.hasOwn(payload, claim) ? asAttribute(payload[claim]) : undefined;
    if (value !== undefined) attributes[claim] = value;
  }
  return {
    principal: `oidc:${config.name}:${principalValue}`,
    issuerId: `oidc:${config.name}`,
    kind: 'oidc',
    subject: payload.sub,
    attributes,
    ...times,
  };
}

import { z } from 'zod';
import { isPrivateKeyMember } from './key-sources/key-set.js';
import { isFetchableUrl } from './key-sources/url-policy.js';
import { isValidTrustDomain } from './spiffe-id.js';

/** Asymmetric JWS algorithms an issuer may be allowed to use (RFC 7518 §3.1, RFC 8037, RFC 9864). */
export const supportedAlgorithms = [
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'EdDSA',
  'Ed25519',
] as const;

export const defaultAlgorithms = ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'];

const algorithmSchema = z.string().superRefine((alg, ctx) => {
  if (/^none$/i.test(alg) || /^HS/i.test(alg)) {
    ctx.addIssue({
      code: 'custom',
      message: `algorithm ${alg} is refused: unsecured and HMAC algorithms are never trusted`,
    });
  } else if (!(supportedAlgorithms as readonly string[]).includes(alg)) {
    ctx.addIssue({
      code: 'custom',
      message: `unsupported algorithm ${alg}; use one of ${supportedAlgorithms.join(', ')}`,
    });
  }
});

const fetchableUrl = z.string().refine(isFetchableUrl, {
  message: 'must be an https URL (http only for loopback hosts), without userinfo',
});

const jwkSchema = z
  .looseObject({ kty: z.string() })
  .refine((jwk) => !Object.keys(jwk).some(isPrivateKeyMember), {
    message: 'a trust bundle must contain public keys only',
  });

/** An inline JSON Web Key Set (RFC 7517 §5), public keys only. */
export const jwksSchema = z.looseObject({ keys: z.array(jwkSchema).max(100) });

const verificationLimits = {
  algorithms: z
    .array(algorithmSchema)
    .min(1)
    .refine((algs) => new Set(algs).size === algs.length, { message: 'algorithms must be unique' })
    .default(defaultAlgorithms),
  max_token_age_seconds: z
    .int()
    .min(1)
    .max(7 * 86400)
    .default(3600),
  max_lifetime_seconds: z
    .int()
    .min(1)
    .max(30 * 86400)
    .default(86400),
  clock_tolerance_seconds: z.int().min(0).max(60).default(30),
};

export const spiffeTrustDomainSchema = z
  .strictObject({
    trust_domain: z.string().refine(isValidTrustDomain, {
      message: 'must be a SPIFFE trust domain: lowercase letters, digits, ".", "-", "_"',
    }),
    bundle_file: z.string().min(1).optional(),
    bundle_url: fetchableUrl.optional(),
    bundle: jwksSchema.optional(),
    issuer: z.string().min(1).optional(),
    refresh_hint_seconds: z.int().min(30).max(86400).default(300),
    ...verificationLimits,
  })
  .refine((td) => [td.bundle_file, td.bundle_url, td.bundle].filter((v) => v !== undefined).length === 1, {
    message: 'set exactly one of bundle_file, bundle_url, bundle',
  });

const claimName = z.string().min(1).max(100);

export const oidcIssuerSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9-]{1,40}$/, { message: 'must match [a-z0-9-]{1,40}' }),
    issuer: z.url(),
    discovery: z.boolean().optional(),
    jwks_uri: fetchableUrl.optional(),
    audience: z.string().min(1),
    bound_claims: z.record(claimName, z.union([z.string(), z.array(z.string()).min(1)])).optional(),
    principal_claim: claimName.default('sub'),
    attribute_claims: z.array(claimName).optional(),
    ...verificationLimits,
  })
  .refine((o) => (o.discovery === true) !== (o.jwks_uri !== undefined), {
    message: 'set exactly one of discovery: true or jwks_uri',
  })
  .refine((o) => o.discovery !== true || isFetchableUrl(o.issuer), {
    message: 'discovery needs an https issuer (http only for loopback hosts)',
    path: ['issuer'],
  });

function findDuplicate(values: string[]): string | undefined {
  return values.find((v, i) => values.indexOf(v) !== i);
}

export const trustConfigSchema = z
  .object({
    spiffe: z.array(spiffeTrustDomainSchema).default([]),
    oidc: z.array(oidcIssuerSchema).default([]),
  })
  .superRefine((trust, ctx) => {
    const td = findDuplicate(trust.spiffe.map((s) => s.trust_domain));
    if (td !== undefined)
      ctx.addIssue({ code: 'custom', path: ['spiffe'], message: `duplicate trust domain ${td}` });
    const name = findDuplicate(trust.oidc.map((o) => o.name));
    if (name !== undefined)
      ctx.addIssue({ code: 'custom', path: ['oidc'], message: `duplicate oidc name ${name}` });
    // Issuers are selected by exact `iss`; two configs for one `iss` would make the choice ambiguous.
    const iss = findDuplicate(trust.oidc.map((o) => o.issuer));
    if (iss !== undefined)
      ctx.addIssue({ code: 'custom', path: ['oidc'], message: `duplicate oidc issuer ${iss}` });
    const oidcIssuers = new Set(trust.oidc.map((o) => o.issuer));
    const shadowed = trust.spiffe.find((s) => s.issuer !== undefined && oidcIssuers.has(s.issuer));
    if (shadowed !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['spiffe'],
        message: `trust domain ${shadowed.trust_domain} shares its issuer with an oidc issuer`,
      });
    }
  });

export type SpiffeTrustDomainConfig = z.infer<typeof spiffeTrustDomainSchema>;
export type OidcIssuerConfig = z.infer<typeof oidcIssuerSchema>;
export type TrustConfig = z.infer<typeof trustConfigSchema>;
export type TrustConfigInput = z.input<typeof trustConfigSchema>;

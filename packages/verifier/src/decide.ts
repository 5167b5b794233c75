import type { DataClass, WritClaims } from '@writ/claims';
import type { Verifier } from './create-verifier.js';
import { WritError, type WritErrorCode } from './errors.js';

/** What a guard checks beyond the writ itself. `R` is the framework's request. */
export interface GuardOptions<R = unknown> {
  /** The tool this route is; the writ's plan must name it (a function picks it per request). */
  tool?: string | ((request: R) => string | undefined);
  /** The resource the request touches, when the plan should cover it. */
  resource?: string | ((request: R) => string | undefined);
  /** The most sensitive data class the request touches. */
  dataClass?: DataClass | ((request: R) => DataClass | undefined);
  /** Also ask the broker (POST /v1/authorize: budgets, Cedar, per-action audit); needs `tool`. */
  online?: boolean;
  /** The `realm` of RFC 6750 challenges. */
  realm?: string;
}

/** A guard's answer: the verified writ, or the HTTP refusal to send (RFC 6750 §3). */
export type WritDecision =
  | { ok: true; writ: WritClaims; token: string }
  | {
      ok: false;
      status: 400 | 401 | 403 | 503;
      /** The WritError code, `missing_token`, `invalid_request` or `insufficient_scope`. */
      code: WritErrorCode | 'missing_token' | 'invalid_request' | 'insufficient_scope';
      headers: Record<string, string>;
      body: { error: string; error_description: string };
    };

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

function pick<R, T>(value: T | ((request: R) => T | undefined) | undefined, request: R): T | undefined {
  return typeof value === 'function' ? (value as (request: R) => T | undefined)(request) : value;
}

function challenge(realm: string | undefined, params: Record<string, string>): string {
  const all = { ...(realm ? { realm } : {}), ...params };
  const rendered = Object.entries(all).map(([k, v]) => `${k}="${v.replace(/["\\]/g, '')}"`);
  return rendered.length ? `Bearer ${rendered.join(', ')}` : 'Bearer';
}

function refuse(
  status: 400 | 401 | 403 | 503,
  code: Exclude<WritDecision, { ok: true }>['code'],
  error: string,
  description: string,
  realm: string | undefined,
  extra: Record<string, string> = {},
): WritDecision {
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  if (status === 503) headers['retry-after'] = '1';
  // RFC 6750 §3.1: no error code when the request carried no credentials at all.
  else if (code === 'missing_token') headers['www-authenticate'] = challenge(realm, {});
  else headers['www-authenticate'] = challenge(realm, { error, error_description: description, ...extra });
  return { ok: false, status, code, headers, body: { error, error_description: description } };
}

/**
 * The framework-free core of every adapter: reads `Authorization: Bearer <writ>` (RFC 6750 §2.1),
 * verifies it, checks the route's tool against the plan, and (online) authorizes at the broker.
 * An unknown answer (stale view, broker down) is 503, never an allow.
 *
 * @example
 * ```ts
 * const decision = await decide(verifier, req.headers.authorization, req, { tool: 'jira.read' });
 * if (!decision.ok) return send(decision.status, decision.headers, decision.body);
 * decision.writ.task.id;
 * ```
 */
export async function decide<R>(
  verifier: Verifier,
  authorization: string | undefined | null,
  request: R,
  options: GuardOptions<R> = {},
): Promise<WritDecision> {
  const { realm } = options;
  if (!authorization) return refuse(401, 'missing_token', 'invalid_token', 'a writ is required', realm);
  const match = BEARER.exec(authorization);
  if (!match?.[1]) {
    return refuse(400, 'invalid_request', 'invalid_request', 'Authorization must be "Bearer <writ>"', realm);
  }
  const token = match[1];
  const tool = pick(options.tool, request);
  const resource = pick(options.resource, request);
  const dataClass = pick(options.dataClass, request);
  const action = tool
    ? {
        tool,
        ...(resource !== undefined ? { resource } : {}),
        ...(dataClass !== undefined ? { dataClass } : {}),
      }
    : undefined;
  try {
    const writ = await verifier.verify(token);
    if (action) {
      const planned = verifier.permits(writ, action);
      if (!planned.permitted) {
        return refuse(
          403,
          'insufficient_scope',
          'insufficient_scope',
          `the writ does not cover this action (${planned.reasons.join(', ')})`,
          realm,
          {
            scope: `tool:${action.tool}`,
          },
        );
      }
      if (options.online) {
        const decision = await verifier.authorize(token, action);
        if (!decision.allowed) {
          return decision.reasons.includes('invalid_token')
            ? refuse(401, 'ERR_WRIT_REVOKED', 'invalid_token', 'the writ is not live', realm)
            : refuse(
                403,
                'insufficient_scope',
                'insufficient_scope',
                `the broker denied this action (${decision.reasons.join(', ')})`,
                realm,
                {
                  scope: `tool:${action.tool}`,
                },
              );
        }
      }
    }
    return { ok: true, writ, token };
  } catch (err) {
    if (!(err instanceof WritError)) throw err;
    if (err.unavailable)
      return refuse(503, err.code, 'temporarily_unavailable', 'the writ cannot be checked now', realm);
    return refuse(401, err.code, 'invalid_token', err.message, realm);
  }
}

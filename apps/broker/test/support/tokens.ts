import { createHmac } from 'node:crypto';
import { GRANT_TYPE_TOKEN_EXCHANGE, HANDOFF_TOKEN_TYPE, TOKEN_TYPE } from '@writ/claims';

export const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A compact JWS with whatever header and payload, signed by nobody (attack material). */
export function forgeToken(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  signature = '',
): string {
  return `${b64(header)}.${b64(payload)}.${signature}`;
}

/** RFC 7515 HS256 over the input, keyed by arbitrary bytes (the classic public-key-as-secret attack). */
export function hs256(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  secret: Buffer,
): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

export function startForm(subjectToken: string, extra: Record<string, string | string[]> = {}) {
  return {
    grant_type: GRANT_TYPE_TOKEN_EXCHANGE,
    subject_token_type: TOKEN_TYPE.jwt,
    subject_token: subjectToken,
    audience: 'https://api.test.example',
    scope: 'tool:github.issues.create tool:jira.read',
    ...extra,
  };
}

export function writForm(writ: string, extra: Record<string, string | string[]> = {}) {
  return {
    grant_type: GRANT_TYPE_TOKEN_EXCHANGE,
    subject_token_type: TOKEN_TYPE.accessToken,
    subject_token: writ,
    ...extra,
  };
}

/** The orchestrator asks, with its writ, for a handoff to `worker` (docs/handoff.md). */
export function handoffForm(writ: string, worker: string, extra: Record<string, string | string[]> = {}) {
  return {
    grant_type: GRANT_TYPE_TOKEN_EXCHANGE,
    subject_token_type: TOKEN_TYPE.accessToken,
    subject_token: writ,
    requested_token_type: HANDOFF_TOKEN_TYPE,
    may_act: worker,
    ...extra,
  };
}

/** The worker exchanges the handoff and its own identity for its writ. */
export function acceptForm(
  handoff: string,
  actorToken: string,
  extra: Record<string, string | string[]> = {},
) {
  return {
    grant_type: GRANT_TYPE_TOKEN_EXCHANGE,
    subject_token_type: HANDOFF_TOKEN_TYPE,
    subject_token: handoff,
    actor_token_type: TOKEN_TYPE.jwt,
    actor_token: actorToken,
    ...extra,
  };
}

export function decodePayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
}

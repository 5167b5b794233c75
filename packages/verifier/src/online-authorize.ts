import type { Action } from '@writ/claims';
import { WritError } from './errors.js';
import { callBroker, type FetchLike, joinUrl, jsonOf } from './http.js';

/** The broker's answer to POST /v1/authorize (docs/runtime.md). */
export type AuthorizeDecision =
  | { allowed: true; reasons: []; budgetLeft: Record<string, unknown> }
  | { allowed: false; reasons: string[]; budgetLeft?: Record<string, unknown> };

/**
 * POST /v1/authorize: liveness, plan, Cedar `call_tool` and the budgets, taken atomically and
 * audited at the broker. 200 → allowed; 403 → denied with the broker's reasons; 401 → the writ
 * is dead (`invalid_token`); anything else, a timeout or a network error → ERR_WRIT_UNAVAILABLE.
 */
export async function authorizeOnline(options: {
  fetch: FetchLike;
  brokerUrl: string;
  audience: string;
  token: string;
  action: Action;
  timeoutMs: number;
}): Promise<AuthorizeDecision> {
  const what = 'authorize';
  const { action } = options;
  const res = await callBroker(
    options.fetch,
    joinUrl(options.brokerUrl, '/v1/authorize'),
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        writ: options.token,
        tool: action.tool,
        ...(action.resource !== undefined ? { resource: action.resource } : {}),
        ...(action.data_class !== undefined ? { data_class: action.data_class } : {}),
        audience: options.audience,
      }),
    },
    options.timeoutMs,
    what,
  );
  if (res.status !== 200 && res.status !== 403 && res.status !== 401) {
    await res.body?.cancel();
    throw new WritError('ERR_WRIT_UNAVAILABLE', `${what}: the broker answered ${res.status}`);
  }
  const body = (await jsonOf(res, what)) as {
    decision?: unknown;
    reasons?: unknown;
    budget_left?: Record<string, unknown>;
  } | null;
  if (res.status === 401) return { allowed: false, reasons: ['invalid_token'] };
  const reasons = Array.isArray(body?.reasons)
    ? body.reasons.filter((r): r is string => typeof r === 'string')
    : [];
  if (res.status === 200 && body?.decision === 'allow') {
    return { allowed: true, reasons: [], budgetLeft: body.budget_left ?? {} };
  }
  if (res.status === 403 && body?.decision === 'deny') {
    return { allowed: false, reasons, ...(body.budget_left ? { budgetLeft: body.budget_left } : {}) };
  }
  throw new WritError('ERR_WRIT_UNAVAILABLE', `${what}: the broker's answer has no decision`);
}

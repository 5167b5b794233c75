import { WritError } from './errors.js';
import { callBroker, type FetchLike, jsonOf } from './http.js';

/**
 * RFC 7662 introspection: `active` is true only while the writ's task chain is live at the
 * broker. Anything but a clear 200 answer is ERR_WRIT_UNAVAILABLE (fail closed).
 */
export async function introspect(options: {
  fetch: FetchLike;
  endpoint: string;
  operatorKey: string;
  token: string;
  timeoutMs: number;
}): Promise<boolean> {
  const what = 'introspection';
  const res = await callBroker(
    options.fetch,
    options.endpoint,
    {
      method: 'POST',
      headers: {
        authorization: `Bearer ${options.operatorKey}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams({ token: options.token }).toString(),
    },
    options.timeoutMs,
    what,
  );
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new WritError('ERR_WRIT_UNAVAILABLE', `${what}: the broker answered ${res.status}`);
  }
  const body = (await jsonOf(res, what)) as { active?: unknown } | null;
  if (typeof body?.active !== 'boolean') {
    throw new WritError('ERR_WRIT_UNAVAILABLE', `${what}: the answer has no boolean active`);
  }
  return body.active;
}

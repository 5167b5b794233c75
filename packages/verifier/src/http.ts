import { WritError } from './errors.js';

/** The fetch a verifier uses: the global one unless the caller passes its own. */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/**
 * One HTTP call to the broker with a timeout. Any network failure or timeout is
 * ERR_WRIT_UNAVAILABLE: the answer is unknown, and an unknown answer is never an allow.
 */
export async function callBroker(
  fetchImpl: FetchLike,
  url: string,
  init: RequestInit,
  timeoutMs: number,
  what: string,
): Promise<Response> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    return await fetchImpl(url, { ...init, signal, redirect: 'error' });
  } catch (err) {
    throw new WritError('ERR_WRIT_UNAVAILABLE', `${what}: the broker did not answer`, { cause: err });
  }
}

/** Reads a JSON body, or throws ERR_WRIT_UNAVAILABLE (a broker that answers garbage is down). */
export async function jsonOf(res: Response, what: string): Promise<unknown> {
  try {
    return await res.json();
  } catch (err) {
    throw new WritError('ERR_WRIT_UNAVAILABLE', `${what}: the broker's answer is not JSON`, { cause: err });
  }
}

/** Joins a base URL and an absolute path. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

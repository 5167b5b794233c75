import type { TestBroker } from '../../../apps/broker/test/support/vitest-kit.js';
import {
  API_AUDIENCE,
  BROKER_ISSUER,
  createTestOperatorKey,
} from '../../../apps/broker/test/support/vitest-kit.js';
import { createVerifier, type Verifier, type VerifierOptions, WritError } from '../src/index.js';

/** Every call the verifier makes, by path. */
export type CallLog = string[];

/**
 * A verifier wired to an in-process test broker: its fetch is `app.request`, its clock the
 * broker's fixed clock, its revocation key a real `feed` key.
 */
export async function inProcessVerifier(
  t: TestBroker,
  options: Partial<VerifierOptions> & { calls?: CallLog } = {},
): Promise<Verifier> {
  const { calls, ...rest } = options;
  const key = (await createTestOperatorKey(t, ['feed'])).key;
  const verifier = createVerifier({
    issuer: BROKER_ISSUER,
    audience: API_AUDIENCE,
    revocations: { mode: 'feed', operatorKey: key },
    now: () => t.clock.nowMs(),
    fetch: async (url, init) => {
      calls?.push(new URL(url).pathname);
      return t.app.request(url, init);
    },
    ...rest,
  });
  await verifier.ready();
  return verifier;
}

/** The WritError code a promise rejects with, or `accepted`. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (err) {
    return err instanceof WritError ? err.code : `unexpected ${String(err)}`;
  }
}

/** Polls `check` every 5 ms until it is true or `ms` pass. */
export async function until(check: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** POST /v1/revocations as an operator; returns the feed id of the entry (if one was written). */
export async function revoke(
  t: TestBroker,
  key: string,
  body: Record<string, unknown>,
): Promise<string | undefined> {
  const res = await t.app.request('/v1/revocations', {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`revocation answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { feed_id?: string }).feed_id;
}

/** True once the verifier's view has reached feed id `id` (ids are `<ms>-<seq>`). */
export function reached(verifier: Verifier, id: string | undefined): boolean {
  if (id === undefined) return true;
  const [ms = '0', seq = '0'] = (verifier.cursor ?? '0-0').split('-');
  const [wantMs = '0', wantSeq = '0'] = id.split('-');
  return BigInt(ms) > BigInt(wantMs) || (ms === wantMs && BigInt(seq) >= BigInt(wantSeq));
}

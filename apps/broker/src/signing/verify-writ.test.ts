import { describe, expect, it } from 'vitest';
import { createFixedClock } from '../shared/clock.js';
import { generateEphemeralKeyRing } from './key-ring.js';
import { createWritVerifier, WritVerificationError } from './verify-writ.js';

const ISSUER = 'https://writ.example.com';
const NOW = 1_767_225_600;

function claims(overrides: Record<string, unknown> = {}) {
  return {
    iss: ISSUER,
    sub: 'spiffe://example.org/agents/a',
    client_id: 'spiffe://example.org/agents/a',
    aud: 'https://api.example.com',
    iat: NOW,
    nbf: NOW,
    exp: NOW + 60,
    jti: 'q3N2v8Jx0cR7tL1mW5yZ9a',
    gen: 1,
    scope: 'tool:jira.read',
    authorization_details: [
      { type: 'agent_task', tools: ['jira.read'], resources: [], data_classes: ['public'] },
    ],
    task: { id: 'tsk_7Hq2xK9pLm3N', chain: [], intent: 'triage', data_class: 'public' },
    ...overrides,
  };
}

async function setup(cacheSize?: number) {
  const keyRing = await generateEphemeralKeyRing('ES256');
  const clock = createFixedClock(NOW * 1000);
  const verifier = createWritVerifier({
    keyRing,
    issuer: ISSUER,
    clock,
    ...(cacheSize ? { cacheSize } : {}),
  });
  return { keyRing, clock, verifier };
}

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (err) {
    return err instanceof WritVerificationError ? err.reason : `unexpected ${String(err)}`;
  }
}

describe('createWritVerifier: the verified-writ cache', () => {
  it('answers a repeat of the same token with the same claims', async () => {
    const { keyRing, verifier } = await setup();
    const token = await keyRing.sign(claims(), 'at+jwt');
    const first = await verifier.verify(token);
    const second = await verifier.verify(token);
    expect(second).toBe(first);
    expect(second).toEqual(claims());
  });

  it('refuses a writ, cached or not, from its exp on: no clock tolerance', async () => {
    const { keyRing, clock, verifier } = await setup();
    const token = await keyRing.sign(claims(), 'at+jwt');
    const fresh = await keyRing.sign(claims({ jti: 'never-cached-0123456789' }), 'at+jwt');
    await verifier.verify(token);
    clock.set((NOW + 60) * 1000 - 1);
    expect(await reasonOf(verifier.verify(token))).toBe('accepted');
    clock.set((NOW + 60) * 1000);
    expect(await reasonOf(verifier.verify(token))).toBe('expired');
    expect(await reasonOf(verifier.verify(fresh))).toBe('expired');
  });

  it('refuses a cached writ before its nbf, as a full verification does', async () => {
    const { keyRing, clock, verifier } = await setup();
    const token = await keyRing.sign(claims({ nbf: NOW + 1 }), 'at+jwt');
    clock.set((NOW + 1) * 1000);
    await verifier.verify(token);
    clock.set((NOW + 1) * 1000 - 1);
    expect(await reasonOf(verifier.verify(token))).toBe('bad_claims');
  });

  it('never answers a token that differs from a cached one, even by its signature only', async () => {
    const { keyRing, verifier } = await setup();
    const token = await keyRing.sign(claims(), 'at+jwt');
    await verifier.verify(token);
    const [header, payload, signature = ''] = token.split('.');
    const flipped = signature[5] === 'A' ? 'B' : 'A';
    const forged = `${header}.${payload}.${signature.slice(0, 5)}${flipped}${signature.slice(6)}`;
    expect(await reasonOf(verifier.verify(forged))).toBe('bad_signature');
    const otherKey = await generateEphemeralKeyRing('ES256');
    expect(await reasonOf(verifier.verify(await otherKey.sign(claims(), 'at+jwt')))).toBe('bad_signature');
  });

  it('stays bounded: the oldest entry leaves first and is verified again in full', async () => {
    const { keyRing, clock, verifier } = await setup(2);
    const tokens = await Promise.all(
      ['a', 'b', 'c'].map((id) => keyRing.sign(claims({ jti: `jti-${id}-0123456789abcdef` }), 'at+jwt')),
    );
    for (const token of tokens) await verifier.verify(token);
    // Past exp the evicted first token fails the full check, as the cached ones do.
    clock.set((NOW + 60) * 1000);
    for (const token of tokens) expect(await reasonOf(verifier.verify(token))).toBe('expired');
  });
});

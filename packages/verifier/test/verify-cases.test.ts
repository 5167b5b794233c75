import { WRIT_TYP } from '@writ/claims';
import { generateKeyPair, SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AGENT,
  API_AUDIENCE,
  BROKER_ISSUER,
  createKeyedBroker,
  createTestOperatorKey,
  decodePayload,
  delegateWrit,
  forgeToken,
  hs256,
  startWrit,
  type TestBroker,
  taskIdOf,
  worker,
} from '../../../apps/broker/test/support/vitest-kit.js';
import { createVerifier, type Verifier } from '../src/index.js';
import { type CallLog, codeOf, inProcessVerifier, reached, revoke, until } from './support.js';

// Every validation case of the broker's writ verification (src/signing/verify-writ.ts, the
// invalid_token cases of POST /v1/authorize), each with the code the verifier answers.

type KeyRing = Awaited<ReturnType<typeof createKeyedBroker>>['keyRing'];
const PLAN = { tools: ['jira.read'], budget: { total: 10 } };

function tamper(writ: string): string {
  const [h, p, s] = writ.split('.') as [string, string, string];
  const i = Math.floor(p.length / 2);
  return `${h}.${p.slice(0, i)}${p[i] === 'A' ? 'B' : 'A'}${p.slice(i + 1)}.${s}`;
}

describe('verify: the broker’s validation cases', () => {
  let t: TestBroker;
  let keyRing: KeyRing;
  let cleanup: () => Promise<void>;
  let writ: string;
  let verifier: Verifier;
  let calls: CallLog;
  let revoker: string;

  beforeEach(async () => {
    ({ t, keyRing, cleanup } = await createKeyedBroker({ store: 'memory' }));
    writ = await startWrit(t, { plan: PLAN, sub: AGENT });
    calls = [];
    verifier = await inProcessVerifier(t, { calls });
    revoker = (await createTestOperatorKey(t, ['revoke'])).key;
  });
  afterEach(async () => {
    verifier.close();
    await cleanup();
  });

  const resign = (overrides: Record<string, unknown>, typ = WRIT_TYP) =>
    keyRing.sign({ ...decodePayload(writ), ...overrides }, typ);

  it('accepts a live writ and returns its claims', async () => {
    const claims = await verifier.verify(writ);
    expect(claims.task.id).toBe(taskIdOf(writ));
    expect(claims.aud).toBe(API_AUDIENCE);
  });

  it('refuses an expired writ: ERR_WRIT_EXPIRED (also from the cache)', async () => {
    await verifier.verify(writ);
    t.clock.advance((decodePayload(writ).exp as number) * 1000 - t.clock.nowMs() + 10_000);
    expect(await codeOf(verifier.verify(writ))).toBe('ERR_WRIT_EXPIRED');
    expect(await codeOf(verifier.verify(await resign({})))).toBe('ERR_WRIT_EXPIRED');
  });

  it('accepts within the clock tolerance and not beyond it', async () => {
    const patient = await inProcessVerifier(t, { maxStalenessMs: 86_400_000 });
    const exp = decodePayload(writ).exp as number;
    t.clock.set((exp + 4) * 1000);
    expect(await codeOf(patient.verify(writ))).toBe('accepted');
    t.clock.set((exp + 5) * 1000);
    expect(await codeOf(patient.verify(writ))).toBe('ERR_WRIT_EXPIRED');
    patient.close();
  });

  it('refuses a writ not yet valid: ERR_WRIT_NOT_YET_VALID', async () => {
    const now = Math.floor(t.clock.nowMs() / 1000);
    expect(await codeOf(verifier.verify(await resign({ nbf: now + 60, iat: now + 60 })))).toBe(
      'ERR_WRIT_NOT_YET_VALID',
    );
  });

  it('refuses a tampered writ: ERR_WRIT_SIGNATURE', async () => {
    expect(await codeOf(verifier.verify(tamper(writ)))).toBe('ERR_WRIT_SIGNATURE');
  });

  it('refuses alg none (ERR_WRIT_MALFORMED without a signature, ERR_WRIT_ALGORITHM with one) and garbage', async () => {
    const header = { alg: 'none', typ: WRIT_TYP };
    expect(await codeOf(verifier.verify(forgeToken(header, decodePayload(writ))))).toBe('ERR_WRIT_MALFORMED');
    expect(await codeOf(verifier.verify(forgeToken(header, decodePayload(writ), 'AAAA')))).toBe(
      'ERR_WRIT_ALGORITHM',
    );
    expect(await codeOf(verifier.verify('not-a-writ'))).toBe('ERR_WRIT_MALFORMED');
    expect(await codeOf(verifier.verify(42 as unknown as string))).toBe('ERR_WRIT_MALFORMED');
    expect(await codeOf(verifier.verify(`${'A'.repeat(16 * 1024)}.e30.e30`))).toBe('ERR_WRIT_MALFORMED');
    expect(await codeOf(verifier.verify('e30.e30.e30.e30'))).toBe('ERR_WRIT_MALFORMED');
  });

  it('refuses HS256 keyed by the public key: ERR_WRIT_ALGORITHM', async () => {
    const jwk = keyRing.publicJwks().keys[0] as { kid: string };
    const token = hs256(
      { alg: 'HS256', typ: WRIT_TYP, kid: jwk.kid },
      decodePayload(writ),
      Buffer.from(JSON.stringify(jwk)),
    );
    expect(await codeOf(verifier.verify(token))).toBe('ERR_WRIT_ALGORITHM');
  });

  it('refuses another spelling of the same signature: ERR_WRIT_MALFORMED', async () => {
    const last = writ.at(-1) as string;
    const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sameBytes = [...ALPHABET]
      .filter((c) => c !== last)
      .map((c) => `${writ.slice(0, -1)}${c}`)
      .filter((v) =>
        Buffer.from(v.split('.')[2] ?? '', 'base64url').equals(
          Buffer.from(writ.split('.')[2] ?? '', 'base64url'),
        ),
      );
    expect(sameBytes.length).toBe(15);
    for (const variant of sameBytes)
      expect(await codeOf(verifier.verify(variant))).toBe('ERR_WRIT_MALFORMED');
  });

  it('refuses a workload identity token presented as a writ: ERR_WRIT_SIGNATURE', async () => {
    expect(await codeOf(verifier.verify(await t.issuer.svid(AGENT)))).toBe('ERR_WRIT_SIGNATURE');
  });

  it('refuses a token signed by the broker key with the wrong typ (RFC 9068 §4): ERR_WRIT_TYPE', async () => {
    expect(await codeOf(verifier.verify(await resign({}, 'JWT')))).toBe('ERR_WRIT_TYPE');
  });

  it('refuses another issuer: ERR_WRIT_ISSUER', async () => {
    expect(await codeOf(verifier.verify(await resign({ iss: 'https://evil.example' })))).toBe(
      'ERR_WRIT_ISSUER',
    );
  });

  it('refuses another audience, or more than one: ERR_WRIT_AUDIENCE', async () => {
    expect(await codeOf(verifier.verify(await resign({ aud: 'https://other.test.example' })))).toBe(
      'ERR_WRIT_AUDIENCE',
    );
    expect(
      await codeOf(verifier.verify(await resign({ aud: [API_AUDIENCE, 'https://other.test.example'] }))),
    ).toBe('ERR_WRIT_AUDIENCE');
  });

  it('refuses missing or malformed claims: ERR_WRIT_CLAIMS', async () => {
    const { jti: _jti, ...noJti } = decodePayload(writ);
    expect(await codeOf(verifier.verify(await keyRing.sign(noJti, WRIT_TYP)))).toBe('ERR_WRIT_CLAIMS');
    expect(await codeOf(verifier.verify(await resign({ scope: 'tool:prod.deploy' })))).toBe(
      'ERR_WRIT_CLAIMS',
    );
    expect(await codeOf(verifier.verify(await resign({ gen: 0 })))).toBe('ERR_WRIT_CLAIMS');
    expect(await codeOf(verifier.verify(await resign({ extra: 1 })))).toBe('ERR_WRIT_CLAIMS');
  });

  it('a well-signed writ the broker never issued: only introspection can tell (ERR_WRIT_REVOKED)', async () => {
    const forged = await resign({ jti: 'A'.repeat(22) });
    // Offline, the signature is the proof of issuance: forging one needs the broker's private key.
    expect(await codeOf(verifier.verify(forged))).toBe('accepted');
    const introspecting = createVerifier({
      issuer: BROKER_ISSUER,
      audience: API_AUDIENCE,
      revocations: {
        mode: 'introspection',
        operatorKey: (await createTestOperatorKey(t, ['introspect'])).key,
      },
      now: () => t.clock.nowMs(),
      fetch: async (url, init) => t.app.request(url, init),
    });
    expect(await codeOf(introspecting.verify(forged))).toBe('ERR_WRIT_REVOKED');
    expect(await codeOf(introspecting.verify(writ))).toBe('accepted');
  });

  it('refuses a revoked task, a revoked ancestor, a jti, a principal, an issuer and all: ERR_WRIT_REVOKED', async () => {
    const child = await delegateWrit(t, writ, worker(1));
    const cases: Array<[string, Record<string, unknown>]> = [
      [child, { jti: decodePayload(child).jti }],
      [writ, { task: taskIdOf(writ) }],
    ];
    for (const [token] of cases) expect(await codeOf(verifier.verify(token))).toBe('accepted');
    for (const [token, body] of cases) {
      const id = await revoke(t, revoker, body);
      await until(() => reached(verifier, id));
      expect(await codeOf(verifier.verify(token))).toBe('ERR_WRIT_REVOKED');
    }
    // The child dies with its parent task (task.chain).
    const child2 = await delegateWrit(t, await startWrit(t, { plan: PLAN, sub: AGENT }), worker(2));
    expect(await codeOf(verifier.verify(child2))).toBe('accepted');
    const parentTask = (decodePayload(child2).task as { chain: string[] }).chain[0];
    await until(async () => reached(verifier, await revoke(t, revoker, { task: parentTask })));
    expect(await codeOf(verifier.verify(child2))).toBe('ERR_WRIT_REVOKED');
    // A principal, issuer or `all` revocation also bans the identity tokens issued until then: the
    // agent comes back with a freshly issued one (iat after the revocation).
    const freshStart = async () =>
      startWrit(t, {
        plan: PLAN,
        sub: AGENT,
        form: { subject_token: await t.issuer.svid(AGENT, { claims: { iat: t.clock.nowSeconds() + 1 } }) },
      });
    for (const body of [{ principal: AGENT }, { issuer: 'spiffe:test.example' }, { all: true }]) {
      const fresh = await freshStart();
      expect(await codeOf(verifier.verify(fresh))).toBe('accepted');
      await until(async () => reached(verifier, await revoke(t, revoker, body)));
      expect(await codeOf(verifier.verify(fresh))).toBe('ERR_WRIT_REVOKED');
      // A writ issued after the generation revocation is live.
      expect(await codeOf(verifier.verify(await freshStart()))).toBe('accepted');
    }
  });

  it('fails closed once the view is older than maxStalenessMs: ERR_WRIT_STALE_REVOCATIONS', async () => {
    const strict = await inProcessVerifier(t, { maxStalenessMs: 1_000 });
    expect(await codeOf(strict.verify(writ))).toBe('accepted');
    t.clock.advance(1_001);
    expect(strict.staleness()).toBeGreaterThan(1_000);
    expect(await codeOf(strict.verify(writ))).toBe('ERR_WRIT_STALE_REVOCATIONS');
    strict.close();
    expect(await codeOf(strict.verify(writ))).toBe('ERR_WRIT_CLOSED');
  });

  it('refetches the JWKS for an unknown kid, at most once per cool-down', async () => {
    const own: CallLog = [];
    const v = await inProcessVerifier(t, { calls: own, jwksCooldownMs: 300 });
    const jwksCalls = () => own.filter((p) => p === '/.well-known/jwks.json').length;
    expect(jwksCalls()).toBe(1);
    await new Promise((r) => setTimeout(r, 350));
    const { privateKey } = await generateKeyPair('ES256');
    const stranger = await new SignJWT(decodePayload(writ))
      .setProtectedHeader({ alg: 'ES256', typ: WRIT_TYP, kid: 'unknown-kid' })
      .sign(privateKey);
    expect(await codeOf(v.verify(stranger))).toBe('ERR_WRIT_SIGNATURE');
    expect(jwksCalls()).toBe(2);
    expect(await codeOf(v.verify(stranger))).toBe('ERR_WRIT_SIGNATURE');
    expect(jwksCalls()).toBe(2);
    v.close();
  });

  it('caches by the exact token string: a repeat makes no call and a variant is verified in full', async () => {
    await verifier.verify(writ);
    const before = calls.length;
    for (let i = 0; i < 5; i++) await verifier.verify(writ);
    expect(calls.length).toBe(before);
    expect(await codeOf(verifier.verify(tamper(writ)))).toBe('ERR_WRIT_SIGNATURE');
  });
});

describe('verify: the broker cannot be reached', () => {
  it('answers ERR_WRIT_UNAVAILABLE, never accepts', async () => {
    const verifier = createVerifier({
      issuer: BROKER_ISSUER,
      audience: API_AUDIENCE,
      revocations: { mode: 'feed', operatorKey: 'writ_x_y' },
      fetch: async () => {
        throw new TypeError('fetch failed');
      },
    });
    expect(await codeOf(verifier.verify(forgeToken({ alg: 'ES256' }, {}, 'AAAA')))).toBe(
      'ERR_WRIT_UNAVAILABLE',
    );
    await expect(verifier.ready()).rejects.toMatchObject({ code: 'ERR_WRIT_UNAVAILABLE' });
    verifier.close();
  });
});

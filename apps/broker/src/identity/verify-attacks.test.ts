import { createHmac } from 'node:crypto';
import { CompactEncrypt, type CryptoKey, exportSPKI, generateKeyPair, importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AUDIENCE,
  BROKER_ISSUER,
  createTestSigner,
  encodeSegment,
  NOW,
  NOW_MS,
  sendJson,
  startTestServer,
  type TestServer,
  type TestSigner,
  thrownBy,
} from '../../test/support/identity-fixtures.js';
import { createFixedClock } from '../shared/clock.js';
import { silentLogger } from '../shared/logger.js';
import { IdentityError, type IdentityErrorReason } from './errors.js';
import { trustConfigSchema } from './issuer-config.js';
import { createIdentityVerifier, type IdentityVerifier } from './verify-workload-token.js';

let es: TestSigner;
let rs: TestSigner;
let ed: TestSigner;
let attacker: TestSigner;
let server: TestServer;
let verifier: IdentityVerifier;

const claims = (extra: Record<string, unknown> = {}) => ({
  sub: 'spiffe://example.org/agent/a',
  aud: AUDIENCE,
  iat: NOW,
  exp: NOW + 300,
  jti: 'j-1',
  ...extra,
});

async function expectRefused(token: string, reason: IdentityErrorReason): Promise<void> {
  const error = await thrownBy(verifier.verify(token));
  expect(error).toBeInstanceOf(IdentityError);
  expect((error as IdentityError).reason).toBe(reason);
}

function replaceSignature(token: string, signature: Uint8Array): string {
  const [h, p] = token.split('.');
  return `${h}.${p}.${Buffer.from(signature).toString('base64url')}`;
}

beforeAll(async () => {
  [es, rs, ed, attacker] = await Promise.all([
    createTestSigner('ES256', 'es-1'),
    createTestSigner('RS256', 'rs-1'),
    createTestSigner('EdDSA', 'ed-1'),
    createTestSigner('ES256', 'es-1'),
  ]);
  server = await startTestServer();
  server.route('/evil/jwks', sendJson({ keys: [attacker.publicJwk] }));
  server.route('/evil/cert', sendJson({}));
  const trust = trustConfigSchema.parse({
    spiffe: [
      { trust_domain: 'example.org', bundle: { keys: [es.publicJwk, rs.publicJwk, ed.publicJwk] } },
      {
        trust_domain: 'strict.example',
        algorithms: ['ES256'],
        bundle: { keys: [es.publicJwk, rs.publicJwk] },
      },
    ],
    oidc: [
      {
        name: 'remote',
        issuer: `${server.url}/remote`,
        jwks_uri: `${server.url}/remote/jwks`,
        audience: 'writ',
      },
    ],
  });
  verifier = createIdentityVerifier({
    trust,
    audience: AUDIENCE,
    brokerIssuer: BROKER_ISSUER,
    clock: createFixedClock(NOW_MS),
    logger: silentLogger,
  });
});

afterAll(async () => {
  verifier.close();
  await server.close();
});

describe('baseline', () => {
  it.each(['es', 'rs', 'ed'])('accepts a JWT-SVID signed by the %s bundle key', async (name) => {
    const signer = { es, rs, ed }[name as 'es' | 'rs' | 'ed'];
    const identity = await verifier.verify(await signer.token(claims()));
    expect(identity.principal).toBe('spiffe://example.org/agent/a');
  });
});

describe('algorithm attacks', () => {
  it.each(['none', 'NONE', 'nOnE', 'None'])(
    'refuses alg %s with empty and with forged signatures',
    async (alg) => {
      const unsigned = `${encodeSegment({ alg, typ: 'JWT' })}.${encodeSegment(claims())}.`;
      await expectRefused(unsigned, 'alg_not_allowed');
      const valid = await es.token(claims());
      await expectRefused(`${unsigned}${valid.split('.')[2]}`, 'alg_not_allowed');
    },
  );

  it('refuses HS256 signed with the issuer public key as HMAC secret (JWK and PEM forms)', async () => {
    const pem = await exportSPKI((await importJWK(rs.publicJwk, 'RS256')) as CryptoKey);
    for (const secret of [
      JSON.stringify(rs.publicJwk),
      pem,
      Buffer.from(rs.publicJwk.n ?? '', 'base64url'),
    ]) {
      for (const header of [
        { alg: 'HS256', typ: 'JWT' },
        { alg: 'HS256', kid: 'rs-1' },
      ]) {
        const input = `${encodeSegment(header)}.${encodeSegment(claims())}`;
        const mac = createHmac('sha256', secret).update(input).digest('base64url');
        await expectRefused(`${input}.${mac}`, 'alg_not_allowed');
      }
    }
  });

  it('refuses an algorithm outside the trust domain allow-list, even with a bundle key', async () => {
    const sub = 'spiffe://strict.example/agent/a';
    await expect(verifier.verify(await es.token(claims({ sub })))).resolves.toMatchObject({ principal: sub });
    await expectRefused(await rs.token(claims({ sub })), 'alg_not_allowed');
  });

  it('compares alg case-sensitively', async () => {
    await expectRefused(await es.sign({ alg: 'es256', kid: 'es-1' }, claims()), 'alg_not_allowed');
    await expectRefused(await es.sign({ alg: 'ES256K', kid: 'es-1' }, claims()), 'alg_not_allowed');
  });

  it('refuses ECDSA r=s=0 in raw (P1363) form', async () => {
    await expectRefused(replaceSignature(await es.token(claims()), new Uint8Array(64)), 'bad_signature');
  });

  it('refuses ECDSA r=s=0 in DER form and a DER re-encoding of a valid signature', async () => {
    const der = Uint8Array.from([0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00]);
    await expectRefused(replaceSignature(await es.token(claims()), der), 'bad_signature');
    const valid = await es.token(claims());
    const raw = Buffer.from(valid.split('.')[2] ?? '', 'base64url');
    const int = (b: Buffer) => ((b[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
    const [r, s] = [int(raw.subarray(0, 32)), int(raw.subarray(32))];
    const body = Buffer.concat([Buffer.from([0x02, r.length]), r, Buffer.from([0x02, s.length]), s]);
    await expectRefused(
      replaceSignature(valid, Buffer.concat([Buffer.from([0x30, body.length]), body])),
      'bad_signature',
    );
  });
});

describe('header attacks', () => {
  it('refuses an embedded jwk', async () => {
    await expectRefused(await attacker.token(claims(), { jwk: attacker.publicJwk }), 'forbidden_header');
  });

  it.each(['jku', 'x5u'])('refuses %s and never fetches it', async (name) => {
    const before = server.totalHits();
    const url = `${server.url}/evil/${name === 'jku' ? 'jwks' : 'cert'}`;
    await expectRefused(await attacker.token(claims(), { [name]: url }), 'forbidden_header');
    await expectRefused(await es.token(claims(), { [name]: url }), 'forbidden_header');
    expect(server.hits('/evil/jwks')).toBe(0);
    expect(server.hits('/evil/cert')).toBe(0);
    expect(server.totalHits()).toBe(before);
  });

  it('refuses x5c', async () => {
    await expectRefused(await es.token(claims(), { x5c: ['MIIB'] }), 'forbidden_header');
  });

  it.each([[['exp']], [['x-custom']], [['b64']], [[]]])('refuses crit %j', async (crit) => {
    await expectRefused(await es.token(claims(), { crit, 'x-custom': 1, b64: false }), 'forbidden_header');
  });

  it.each([
    '../../etc/passwd',
    "' OR '1'='1",
    '__proto__',
    'constructor',
    '\u0000',
    '*',
    'https://127.0.0.1/evil/jwks',
    'x'.repeat(1000),
  ])('a hostile kid %j matches no key', async (kid) => {
    await expectRefused(await attacker.token(claims(), { kid }), 'unknown_key');
    await expectRefused(await es.token(claims(), { kid }), 'unknown_key');
  });

  it('refuses a non-string kid as malformed', async () => {
    await expectRefused(await es.token(claims(), { kid: { $ne: null } }), 'malformed');
  });

  it('an attacker key reusing a trusted kid fails the signature', async () => {
    await expectRefused(await attacker.token(claims()), 'bad_signature');
    await expectRefused(await attacker.token(claims(), { kid: undefined }), 'bad_signature');
  });
});

describe('serialization attacks', () => {
  it('refuses a real JWE (five segments)', async () => {
    const { publicKey } = await generateKeyPair('RSA-OAEP-256');
    const jwe = await new CompactEncrypt(Buffer.from(JSON.stringify(claims())))
      .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM' })
      .encrypt(publicKey);
    expect(jwe.split('.')).toHaveLength(5);
    await expectRefused(jwe, 'malformed');
  });

  it('refuses JWS JSON serializations (flattened and general)', async () => {
    const [protectedHeader, payload, signature] = (await es.token(claims())).split('.');
    await expectRefused(JSON.stringify({ protected: protectedHeader, payload, signature }), 'malformed');
    await expectRefused(
      JSON.stringify({ payload, signatures: [{ protected: protectedHeader, signature }] }),
      'malformed',
    );
  });

  it.each([
    ['two segments', 'a.b'],
    ['four segments', 'a.b.c.d'],
    ['padding', `${encodeSegment({ alg: 'ES256' })}=.${encodeSegment(claims())}.AA`],
    ['standard base64 chars', `${encodeSegment({ alg: 'ES256' })}.${encodeSegment(claims())}.a+b/`],
    ['array header', `${encodeSegment([1])}.${encodeSegment(claims())}.AA`],
    ['numeric alg', `${encodeSegment({ alg: 1 })}.${encodeSegment(claims())}.AA`],
    ['non-object payload', `${encodeSegment({ alg: 'ES256' })}.${encodeSegment('"x"')}.AA`],
    [
      'invalid UTF-8 payload',
      `${encodeSegment({ alg: 'ES256' })}.${Buffer.from([0xff, 0xfe]).toString('base64url')}.AA`,
    ],
    ['empty', ''],
  ])('refuses %s as malformed', async (_name, token) => {
    await expectRefused(token, 'malformed');
  });

  it('refuses a signature with a non-canonical last character', async () => {
    const token = await es.token(claims());
    const last = token.at(-1) ?? 'A';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // 64 signature bytes leave 4 unused bits in the last character: flip one of them.
    const sibling = alphabet[alphabet.indexOf(last) ^ 1] ?? 'A';
    await expectRefused(`${token.slice(0, -1)}${sibling}`, 'malformed');
  });

  it.each([
    ['1 MB', 1024 * 1024],
    ['10 MB', 10 * 1024 * 1024],
  ])('refuses a %s token before any crypto or fetch', async (_name, size) => {
    const before = server.totalHits();
    const header = encodeSegment({ alg: 'ES256', kid: 'remote-1' });
    const payload = encodeSegment({ iss: `${server.url}/remote`, pad: 'a'.repeat(size) });
    await expectRefused(`${header}.${payload}.AA`, 'too_large');
    expect(server.totalHits()).toBe(before);
  });

  it('refuses a validly signed token over the 8 KiB cap', async () => {
    await expectRefused(await es.token(claims({ pad: 'a'.repeat(8192) })), 'too_large');
  });
});

describe('writs and other tokens presented as identity', () => {
  it.each(['at+jwt', 'AT+JWT', 'application/at+jwt'])('refuses typ %s', async (typ) => {
    await expectRefused(await es.token(claims(), { typ }), 'is_writ');
  });

  it('refuses a writ-shaped token from the broker issuer', async () => {
    const writ = claims({ iss: BROKER_ISSUER, sub: 'spiffe://example.org/agent/a', scope: 'tools:x' });
    await expectRefused(await es.token(writ, { typ: 'at+jwt' }), 'is_writ');
    await expectRefused(await es.token(writ), 'is_writ');
  });

  it('refuses a token for another service (wrong audience)', async () => {
    await expectRefused(await es.token(claims({ aud: 'https://other.service' })), 'bad_audience');
  });
});

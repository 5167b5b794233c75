import { randomBytes } from 'node:crypto';
import { createVerifier, type Verifier } from '@writ/verifier';
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { exchange, startTaskBody, TICKETS } from './broker-fixture.js';
import { median, pct, sleep } from './stats.js';

// @writ/verifier's figures: verify cold (a new writ each call) against raw
// jose.jwtVerify with a local JWKS, warm (the same writ again), and revocation propagation from
// the revoke call's start to the last of 10 feed-following verifiers refusing the writ.

const ISSUER = 'https://writ.bench.example';
const WRITS = 2_000;
const ROUNDS = 3;

export interface VerifierSpeed {
  coldPerSecond: number;
  josePerSecond: number;
  warmPerSecond: number;
}

/** A broker that exists only as a fetch function: metadata, keys, an empty snapshot, a silent stream. */
function memoryBroker(jwks: { keys: unknown[] }): (url: string) => Promise<Response> {
  return async (url) => {
    const path = new URL(url).pathname;
    if (path === '/.well-known/oauth-authorization-server') {
      return Response.json({
        issuer: ISSUER,
        jwks_uri: `${ISSUER}/.well-known/jwks.json`,
        access_token_signing_alg_values_supported: ['ES256'],
      });
    }
    if (path === '/.well-known/jwks.json') return Response.json(jwks);
    if (path === '/v1/revocations')
      return Response.json({ last_id: '0-0', all_below: 0, tasks: [], writs: [] });
    if (path === '/v1/revocations/stream') return new Response(new ReadableStream({ start() {} }));
    return new Response('not found', { status: 404 });
  };
}

function claims(n: number) {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: ISSUER,
    sub: `spiffe://prod.example.com/agents/bench-${n % 50}`,
    client_id: `spiffe://prod.example.com/agents/bench-${n % 50}`,
    aud: TICKETS,
    iat: now,
    nbf: now,
    exp: now + 600,
    jti: randomBytes(16).toString('base64url'),
    gen: 1,
    scope: 'tool:search_kb',
    authorization_details: [
      { type: 'agent_task', tools: ['search_kb'], resources: [], data_classes: ['internal'] },
    ],
    task: { id: randomBytes(16).toString('base64url'), chain: [], intent: 'bench', data_class: 'internal' },
  };
}

/** Cold and warm verify against raw jose, interleaved rounds, medians. */
export async function measureVerifierSpeed(): Promise<VerifierSpeed> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'ES256', use: 'sig' };
  const jwks = { keys: [jwk] };
  const tokens: string[] = [];
  for (let i = 0; i < WRITS * ROUNDS; i++) {
    tokens.push(
      await new SignJWT(claims(i))
        .setProtectedHeader({ alg: 'ES256', kid: 'bench', typ: 'at+jwt' })
        .sign(privateKey),
    );
  }
  const verifier = createVerifier({
    issuer: ISSUER,
    audience: TICKETS,
    revocations: { mode: 'feed', operatorKey: 'writ_bench_bench' },
    maxStalenessMs: 3_600_000,
    fetch: memoryBroker(jwks),
  });
  await verifier.ready();
  const local = createLocalJWKSet(jwks);
  const raw = (token: string) =>
    jwtVerify(token, local, { issuer: ISSUER, audience: TICKETS, typ: 'at+jwt', algorithms: ['ES256'] });
  // Warm both paths up (JIT) on tokens the timed rounds do not use.
  for (let i = 0; i < 300; i++) {
    const token = await new SignJWT(claims(i))
      .setProtectedHeader({ alg: 'ES256', kid: 'bench', typ: 'at+jwt' })
      .sign(privateKey);
    await raw(token);
    await verifier.verify(token);
  }
  // Interleaved in small chunks, alternating which goes first, so that drift in a shared
  // machine's speed hits both paths alike; the figure is total calls over total time.
  let coldMs = 0;
  let joseMs = 0;
  const CHUNK = 50;
  for (let start = 0, n = 0; start < tokens.length; start += CHUNK, n++) {
    const chunk = tokens.slice(start, start + CHUNK);
    const timeRaw = async () => {
      const t0 = performance.now();
      for (const token of chunk) await raw(token);
      joseMs += performance.now() - t0;
    };
    const timeVerifier = async () => {
      const t0 = performance.now();
      for (const token of chunk) await verifier.verify(token);
      coldMs += performance.now() - t0;
    };
    if (n % 2 === 0) {
      await timeRaw();
      await timeVerifier();
    } else {
      await timeVerifier();
      await timeRaw();
    }
  }
  const cold = [tokens.length / (coldMs / 1000)];
  const jose = [tokens.length / (joseMs / 1000)];
  const warmToken = tokens[0] as string;
  const warm: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let calls = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 1_000) {
      for (let i = 0; i < 1_000; i++) await verifier.verify(warmToken);
      calls += 1_000;
    }
    warm.push(calls / ((performance.now() - t0) / 1000));
  }
  verifier.close();
  return { coldPerSecond: median(cold), josePerSecond: median(jose), warmPerSecond: median(warm) };
}

export const PROPAGATION_VERIFIERS = 10;
export const PROPAGATION_REVOCATIONS = 200;

export interface PropagationResult {
  p50: number;
  p99: number;
  max: number;
  refused: number;
  expected: number;
}

/**
 * 10 verifiers follow the real broker's feed (a `feed` key); 200 tasks, each revoked in turn:
 * latency from the revoke call's start until the last verifier refuses the task's writ.
 */
export async function measureRevocationPropagation(options: {
  url: string;
  svids: readonly string[];
  feedKey: string;
  revokeKey: string;
}): Promise<PropagationResult> {
  const writs: Array<{ writ: string; taskId: string }> = [];
  for (let i = 0; i < PROPAGATION_REVOCATIONS; i++) {
    writs.push(
      await exchange(
        options.url,
        startTaskBody(options.svids[i % options.svids.length] as string, ['search_kb']),
      ),
    );
  }
  const verifiers: Verifier[] = Array.from({ length: PROPAGATION_VERIFIERS }, () =>
    createVerifier({
      issuer: options.url,
      audience: TICKETS,
      revocations: { mode: 'feed', operatorKey: options.feedKey },
      maxStalenessMs: 60_000,
    }),
  );
  try {
    await Promise.all(verifiers.map((v) => v.ready()));
    for (const { writ } of writs) for (const v of verifiers) await v.verify(writ);
    const latencies: number[] = [];
    let refused = 0;
    for (const { writ, taskId } of writs) {
      const t0 = performance.now();
      const call = fetch(`${options.url}/v1/revocations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.revokeKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ task: taskId }),
      }).then((res) => res.arrayBuffer());
      const pending = new Set(verifiers);
      const deadline = t0 + 5_000;
      while (pending.size > 0 && performance.now() < deadline) {
        for (const v of [...pending]) {
          try {
            await v.verify(writ);
          } catch {
            pending.delete(v);
          }
        }
        // 1 ms between polls: a busy loop would take the core from Redis and the feed it measures.
        if (pending.size > 0) await sleep(1);
      }
      if (pending.size === 0) {
        latencies.push(performance.now() - t0);
        refused++;
      }
      await call;
      await sleep(5);
    }
    return {
      p50: pct(latencies, 50),
      p99: pct(latencies, 99),
      max: pct(latencies, 100),
      refused,
      expected: PROPAGATION_REVOCATIONS,
    };
  } finally {
    for (const v of verifiers) v.close();
  }
}

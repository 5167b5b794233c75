import { calculateJwkThumbprint, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';

/**
 * Child process for the crypto ceiling, pinned to the broker's core: on `{ seconds }` it runs
 * one ES256 jwtVerify (an SVID-sized token) plus one SignJWT (a writ-sized payload) per op, one
 * after another, and reports `{ ops, ms }`. What a single-core exchange can never beat.
 */
async function main() {
  if (!process.send) throw new Error('crypto-child runs as an IPC child of the bench');
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const kid = await calculateJwkThumbprint(await exportJWK(publicKey));
  const now = Math.floor(Date.now() / 1000);
  const svid = await new SignJWT({ sub: 'spiffe://prod.example.com/agents/bench-1', aud: 'http://127.0.0.1' })
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + 3000)
    .sign(privateKey);
  const writClaims = {
    iss: 'http://127.0.0.1',
    sub: 'spiffe://prod.example.com/agents/bench-1',
    client_id: 'spiffe://prod.example.com/agents/bench-1',
    aud: 'https://tickets.example.com',
    jti: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    gen: 1,
    scope: 'tool:search_kb',
    authorization_details: [
      { type: 'agent_task', tools: ['search_kb'], resources: [], data_classes: ['public'] },
    ],
    task: { id: 'tAAAAAAAAAAAAAAAAAAAAA', chain: [], intent: 'bench', data_class: 'public' },
  };
  const op = async () => {
    await jwtVerify(svid, publicKey, { audience: 'http://127.0.0.1', algorithms: ['ES256'] });
    await new SignJWT(writClaims)
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' })
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
  };
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message) => {
    if (message === 'stop') process.exit(0);
    const seconds = (message as { seconds?: number }).seconds;
    if (typeof seconds !== 'number') return;
    void (async () => {
      const started = performance.now();
      const until = started + seconds * 1000;
      let ops = 0;
      while (performance.now() < until) {
        await op();
        ops++;
      }
      process.send?.({ ops, ms: performance.now() - started });
    })();
  });
  process.send({ ready: true });
}

main().catch((err) => {
  process.stderr.write(`crypto-child: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

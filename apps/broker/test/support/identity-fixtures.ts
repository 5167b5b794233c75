import { webcrypto } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

/** Test-only helpers: signers that can build any header, and a loopback HTTP server that counts hits. */

export type TestAlg = 'ES256' | 'RS256' | 'EdDSA';

export interface TestSigner {
  alg: TestAlg;
  kid: string;
  publicJwk: JWK;
  /** Signs exactly the header and payload given (no defaults, no validation). */
  sign(header: Record<string, unknown>, payload: Record<string, unknown>): Promise<string>;
  /** A compact JWT with `{ alg, kid, typ: 'JWT', ...header }`. */
  token(payload: Record<string, unknown>, header?: Record<string, unknown>): Promise<string>;
}

type SignParams = Parameters<typeof webcrypto.subtle.sign>[0];

const subtleParams: Record<TestAlg, SignParams> = {
  ES256: { name: 'ECDSA', hash: 'SHA-256' },
  RS256: { name: 'RSASSA-PKCS1-v1_5' },
  EdDSA: { name: 'Ed25519' },
};

export function encodeSegment(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

export async function createTestSigner(alg: TestAlg, kid: string): Promise<TestSigner> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg };
  async function sign(header: Record<string, unknown>, payload: Record<string, unknown>): Promise<string> {
    const input = `${encodeSegment(header)}.${encodeSegment(payload)}`;
    const signature = await webcrypto.subtle.sign(subtleParams[alg], privateKey, Buffer.from(input));
    return `${input}.${Buffer.from(signature).toString('base64url')}`;
  }
  return {
    alg,
    kid,
    publicJwk,
    sign,
    token: (payload, header = {}) => sign({ alg, kid, typ: 'JWT', ...header }, payload),
  };
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface TestServer {
  url: string;
  route(path: string, handler: Handler): void;
  hits(path: string): number;
  totalHits(): number;
  close(): Promise<void>;
}

export function sendJson(body: unknown, status = 200): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
}

export async function startTestServer(): Promise<TestServer> {
  const routes = new Map<string, Handler>();
  const counts = new Map<string, number>();
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const handler = routes.get(path);
    if (handler) handler(req, res);
    else sendJson({ error: 'not found' }, 404)(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    route: (path, handler) => routes.set(path, handler),
    hits: (path) => counts.get(path) ?? 0,
    totalHits: () => [...counts.values()].reduce((a, b) => a + b, 0),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Polls until `check` holds (for background refreshes), failing after `timeoutMs`. */
export async function waitUntil(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const AUDIENCE = 'https://writ.test/broker';
export const BROKER_ISSUER = 'https://writ.test';
export const NOW_MS = 1_750_000_000_000;
export const NOW = NOW_MS / 1000;

/** Settles `promise` and returns what it threw (undefined if it resolved). */
export async function thrownBy(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return undefined;
}

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestOperatorKey } from './support/fixtures.js';
import { createTestBroker, type TestBroker } from './support/test-broker.js';

const PATHS = [
  '/oauth2/token',
  '/oauth2/introspect',
  '/oauth2/revoke',
  '/v1/authorize',
  '/v1/revocations',
  '/v1/revocations/stream',
  '/v1/tasks',
  '/v1/tasks/x/complete',
  '/v1/audit',
  '/v1/operator-keys',
  '/dev/identity',
  '/.well-known/jwks.json',
  '/readyz',
];

/** random HTTP input never yields a 500 — every refusal is a deliberate 4xx. */
describe('random HTTP input', () => {
  let t: TestBroker;
  beforeAll(async () => {
    t = await createTestBroker({ store: 'memory' });
  });
  afterAll(async () => t.close());

  it('never answers 5xx, and every error body is {error, error_description}', async () => {
    const field = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom(
        'urn:ietf:params:oauth:grant-type:token-exchange',
        'urn:ietf:params:oauth:token-type:jwt',
      ),
      fc.constantFrom('urn:ietf:params:oauth:token-type:access_token', 'a.b.c', 'eyJhbGciOiJub25lIn0.e30.'),
      fc.constantFrom('urn:writ:params:oauth:token-type:handoff', 'spiffe://test.example/agents/worker-1'),
    );
    const form = fc.dictionary(
      fc.constantFrom(
        'grant_type',
        'subject_token',
        'subject_token_type',
        'actor_token',
        'actor_token_type',
        'requested_token_type',
        'may_act',
        'scope',
        'audience',
        'authorization_details',
        'token',
        'resource',
      ),
      field,
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...PATHS),
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
        fc.constantFrom('application/x-www-form-urlencoded', 'application/json', 'text/plain', ''),
        fc.oneof(
          form.map((f) => new URLSearchParams(f).toString()),
          fc.json(),
          fc.string({ maxLength: 200 }),
        ),
        fc.option(fc.oneof(fc.string({ maxLength: 60 }), fc.constant('Bearer writ_aaaaaaaaaaaaaaaa_bbbb')), {
          nil: undefined,
        }),
        async (path, method, type, body, authorization) => {
          const headers: Record<string, string> = {};
          if (type) headers['content-type'] = type;
          if (authorization !== undefined && /^[\t\x20-\x7e]*$/.test(authorization))
            headers.authorization = authorization;
          const res = await t.app.request(path, {
            method,
            headers,
            ...(method === 'GET' ? {} : { body }),
          });
          expect(res.status).toBeLessThan(500);
          if (res.status >= 400 && res.headers.get('content-type')?.includes('json')) {
            const json = (await res.json()) as Record<string, unknown>;
            expect(typeof json.error).toBe('string');
          } else {
            await res.body?.cancel();
          }
        },
      ),
      { numRuns: 500 },
    );
  }, 120_000);

  it.each(['memory', 'redis'] as const)(
    'never answers 5xx to an operator read with any cursor or date, however far out of range (%s)',
    async (store) => {
      // A broker of its own: the random credentials above may have blocked this address.
      const b = await createTestBroker({ store });
      const { key } = await createTestOperatorKey(b, ['read', 'revoke']);
      // Stream ids around the edges of Redis's 64-bit range, the epoch, and plain junk.
      const digits = fc.oneof(
        fc.constantFrom('0', '1', '18446744073709551615', '18446744073709551616', '99999999999999999999'),
        fc.bigInt({ min: 0n, max: 2n ** 70n }).map(String),
      );
      const cursor = fc.oneof(
        fc.tuple(digits, digits).map(([ms, seq]) => `${ms}-${seq}`),
        fc.constantFrom('0-0', '-1-0', '1-', '-', '$', '+', '0', 'AAAA'),
        fc.string({ maxLength: 45 }),
      );
      const instant = fc.oneof(
        fc.integer({ min: -8.64e15, max: 8.64e15 }).map(String),
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        fc.constantFrom('1969-12-31T23:59:59Z', '0000-01-01', '-000001-01-01T00:00:00Z', '1900-01-01'),
        fc.string({ maxLength: 30 }),
      );
      const read = fc.oneof(
        fc
          .record({ cursor, from: instant, to: instant }, { requiredKeys: [] })
          .map((q) => `/v1/audit?${new URLSearchParams(q).toString()}`),
        cursor.map((c) => ({ path: '/v1/revocations/stream', header: c })),
        cursor.map((c) => `/v1/revocations/stream?${new URLSearchParams({ after: c }).toString()}`),
        cursor.map((c) => `/v1/revocations?${new URLSearchParams({ cursor: c }).toString()}`),
      );
      await fc.assert(
        fc.asyncProperty(read, async (request) => {
          const headers: Record<string, string> = { authorization: `Bearer ${key}` };
          const path = typeof request === 'string' ? request : request.path;
          if (typeof request !== 'string' && /^[\t\x20-\x7e]*$/.test(request.header))
            headers['last-event-id'] = request.header;
          const res = await b.app.request(path, { headers });
          expect(res.status).toBeLessThan(500);
          if (res.status >= 400)
            expect(((await res.json()) as { error: unknown }).error).toBe('invalid_request');
          else await res.body?.cancel();
        }),
        { numRuns: 300 },
      );
      await b.close();
    },
    120_000,
  );
});

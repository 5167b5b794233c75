import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatOperatorKey, generateOperatorKey } from '../../src/operators/operator-key.js';
import type { OperatorRole, StoreSnapshot } from '../../src/store/index.js';
import { createTestOperatorKey, disableTestOperatorKey, startWrit } from './fixtures.js';
import { createTestBroker, formRequest, type TestBroker } from './test-broker.js';

/** The one 401 body every operator route answers, whatever was wrong with the credentials. */
export const INVALID_OPERATOR_CREDENTIALS =
  '{"error":"invalid_token","error_description":"invalid operator credentials"}';

/** The only audit events a refused operator request may write. */
const REFUSAL_EVENTS = ['operator.auth_failed', 'operator.denied'];

type Body = { json: unknown } | { form: Record<string, string> };

export interface OperatorRouteSecurityOptions {
  method: 'GET' | 'POST';
  /** As in docs/operator-api.md, e.g. `/v1/tasks/{id}`; used in the test names. */
  route: string;
  /** The concrete path; a function when it names something the broker must hold (a task, a key). */
  path?: string | ((t: TestBroker) => Promise<string>);
  /** A valid body, so that only the credentials can be what the route refuses. */
  body?: Body | ((t: TestBroker) => Promise<Body>);
  /** Roles that must get past authentication and authorization (any status but 401/403). */
  allowedRoles: readonly OperatorRole[];
  /** Roles that must get 403 `insufficient_scope`. */
  refusedRoles: readonly OperatorRole[];
}

interface Fixture {
  t: TestBroker;
  path: string;
  body: Body | undefined;
  keys: Partial<Record<OperatorRole, string>>;
}

/**
 * The security cases every operator route shares (like unkey's `runCommonRouteTests`), against the
 * Redis and the memory store: each way of presenting bad credentials gets the same 401, each role
 * the route does not serve gets 403 `insufficient_scope`, and a refused request writes nothing but
 * its own `operator.auth_failed` / `operator.denied` audit event (and the failure limiter's
 * counter); the roles the route serves get through.
 */
export function runOperatorRouteSecurityTests(options: OperatorRouteSecurityOptions): void {
  const { method, route, allowedRoles, refusedRoles } = options;

  describe.each(['redis', 'memory'] as const)(
    `${method} ${route} — operator route security (%s)`,
    (store) => {
      const f = {} as Fixture;
      beforeAll(async () => {
        // A high failure limit: this file sends many bad keys from one client on purpose.
        f.t = await createTestBroker({
          store,
          operatorAuth: { failureLimit: { limit: 10_000, windowSeconds: 60 } },
        });
        f.path = typeof options.path === 'function' ? await options.path(f.t) : (options.path ?? route);
        f.body = typeof options.body === 'function' ? await options.body(f.t) : options.body;
        f.keys = {};
        for (const role of new Set([...allowedRoles, ...refusedRoles])) {
          f.keys[role] = (await createTestOperatorKey(f.t, [role])).key;
        }
      });
      afterAll(async () => f.t.close());

      const send = (authorization: string | undefined): Promise<Response> => {
        const init: RequestInit =
          f.body === undefined
            ? {}
            : 'form' in f.body
              ? formRequest(f.body.form)
              : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(f.body.json) };
        const headers: Record<string, string> = { ...(init.headers as Record<string, string> | undefined) };
        if (authorization !== undefined) headers.authorization = authorization;
        return Promise.resolve(f.t.app.request(f.path, { ...init, method, headers }));
      };

      /** Sends the request and proves it changed nothing but refusal audit events and limiter counters. */
      const sendRefused = async (authorization: string | undefined): Promise<Response> => {
        const before = await f.t.snapshot();
        const res = await send(authorization);
        const writes = writesBetween(before, await f.t.snapshot());
        expect(writes.keys).toEqual([]);
        expect(writes.events.filter((type) => !REFUSAL_EVENTS.includes(type))).toEqual([]);
        return res;
      };

      const credentials: Array<[string, (f: Fixture) => Promise<string | undefined>]> = [
        ['no Authorization header', async () => undefined],
        ['an empty bearer', async () => 'Bearer'],
        ['another scheme', async (x) => `Basic ${anyKey(x)}`],
        ['a malformed key', async () => 'Bearer writ_not-a-key'],
        ['an unknown key id', async () => `Bearer ${generateOperatorKey().key}`],
        [
          'a wrong secret for a real key id',
          async (x) => `Bearer ${formatOperatorKey(idOf(anyKey(x)), generateOperatorKey().secret)}`,
        ],
        [
          'a disabled key',
          async (x) => {
            const { key, id } = await createTestOperatorKey(x.t, [...allowedRoles.slice(0, 1)]);
            await disableTestOperatorKey(x.t, id);
            return `Bearer ${key}`;
          },
        ],
        ['a writ instead of an operator key', async (x) => `Bearer ${await startWrit(x.t)}`],
      ];

      it.each(credentials)('answers %s with the one 401 and writes only its audit event', async (_, make) => {
        const res = await sendRefused(await make(f));
        expect({
          status: res.status,
          wwwAuthenticate: res.headers.get('www-authenticate'),
          cacheControl: res.headers.get('cache-control'),
          body: await res.text(),
        }).toEqual({
          status: 401,
          wwwAuthenticate: 'Bearer error="invalid_token"',
          cacheControl: 'no-store',
          body: INVALID_OPERATOR_CREDENTIALS,
        });
      });

      if (refusedRoles.length > 0) {
        it.each(refusedRoles)(
          'refuses a key with role %s: 403 insufficient_scope, nothing else written',
          async (role) => {
            const res = await sendRefused(`Bearer ${f.keys[role]}`);
            expect({ status: res.status, body: await res.json() }).toMatchObject({
              status: 403,
              body: { error: 'insufficient_scope' },
            });
          },
        );
      }

      it.each(allowedRoles)('lets a key with role %s through', async (role) => {
        const res = await send(`Bearer ${f.keys[role]}`);
        await res.body?.cancel();
        expect([401, 403]).not.toContain(res.status);
      });
    },
  );
}

function anyKey(f: Fixture): string {
  const key = Object.values(f.keys)[0];
  if (!key) throw new Error('operator route security: no role given');
  return key;
}

/** `writ_<16-char id>_<secret>` → the id. */
const idOf = (key: string) => key.slice('writ_'.length, 'writ_'.length + 16);

/**
 * What changed between two snapshots: the keys that differ, other than the audit stream and the
 * rate-limit counters (the operator failure limiter counts every refusal), and the types of the
 * audit events appended.
 */
function writesBetween(before: StoreSnapshot, after: StoreSnapshot): { keys: string[]; events: string[] } {
  const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]),
  );
  const auditKey = changed.find((key) => key.endsWith('audit'));
  const appended = auditKey
    ? (after[auditKey] as string[]).slice((before[auditKey] as string[] | undefined)?.length ?? 0)
    : [];
  return {
    keys: changed.filter((key) => key !== auditKey && !/(^|:)rl:/.test(key)),
    events: appended.map((event) => (JSON.parse(event) as { type: string }).type),
  };
}

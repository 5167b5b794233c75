import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AGENT,
  createTestBroker,
  createTestOperatorKey,
  decodePayload,
  delegateWrit,
  startWrit,
  type TestBroker,
  taskIdOf,
  worker,
} from '../../../apps/broker/test/support/vitest-kit.js';
import type { Verifier } from '../src/index.js';
import { codeOf, inProcessVerifier, reached, revoke, until } from './support.js';

// Model-based: random revocations at the broker (task, jti, principal, issuer, all, completion),
// and after each one — once the verifier's view has caught up with the feed — the verifier and
// the broker (introspection: the store's own liveness check) agree on every writ.

const PLAN = { tools: ['jira.read'] };
const OTHER = 'spiffe://test.example/agents/b2';

describe('verifier and broker agree on revocation once the view is fresh', () => {
  let t: TestBroker;
  let verifier: Verifier;
  let revoker: string;
  let introspector: string;
  beforeAll(async () => {
    t = await createTestBroker({ store: 'memory' });
    verifier = await inProcessVerifier(t, { maxStalenessMs: 86_400_000 });
    revoker = (await createTestOperatorKey(t, ['revoke'])).key;
    introspector = (await createTestOperatorKey(t, ['introspect'])).key;
  });
  afterAll(async () => {
    verifier.close();
    await t.close();
  });

  const brokerSaysActive = async (writ: string) => {
    const res = await t.app.request('/oauth2/introspect', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${introspector}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token: writ }).toString(),
    });
    return ((await res.json()) as { active: boolean }).active;
  };

  type Command =
    | { kind: 'task' | 'jti' | 'complete'; pick: number }
    | { kind: 'principal' | 'issuer' | 'all' | 'start'; pick: number };

  it('never disagrees on any writ after any sequence of revocations', async () => {
    const command = fc.record({
      kind: fc.constantFrom('task', 'jti', 'complete', 'principal', 'issuer', 'all', 'start'),
      pick: fc.nat(),
    }) as fc.Arbitrary<Command>;
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 8 }), async (commands) => {
        // A small delegation forest per run: two roots of two principals, children, a grandchild.
        // Identities issued after every earlier run's revocations (which also ban older ones).
        const fresh = (sub: string) => t.issuer.svid(sub, { claims: { iat: t.clock.nowSeconds() + 1 } });
        const roots = [
          await startWrit(t, { plan: PLAN, sub: AGENT, form: { subject_token: await fresh(AGENT) } }),
          await startWrit(t, { plan: PLAN, sub: OTHER, form: { subject_token: await fresh(OTHER) } }),
        ];
        const child = await delegateWrit(t, roots[0] as string, worker(1), {
          actorToken: await fresh(worker(1)),
        });
        const grandchild = await delegateWrit(t, child, worker(2), { actorToken: await fresh(worker(2)) });
        const writs = [...roots, child, grandchild];
        for (const c of commands) {
          const target = writs[c.pick % writs.length] as string;
          const claims = decodePayload(target);
          let feedId: string | undefined;
          switch (c.kind) {
            case 'task':
              feedId = await revoke(t, revoker, { task: taskIdOf(target) });
              break;
            case 'jti':
              feedId = await revoke(t, revoker, { jti: claims.jti });
              break;
            case 'principal':
              feedId = await revoke(t, revoker, { principal: c.pick % 2 ? AGENT : worker(1) });
              break;
            case 'issuer':
              feedId = await revoke(t, revoker, { issuer: 'spiffe:test.example' });
              break;
            case 'all':
              feedId = await revoke(t, revoker, { all: true });
              break;
            case 'complete': {
              const res = await t.app.request(`/v1/tasks/${taskIdOf(target)}/complete`, {
                method: 'POST',
                headers: { authorization: `Bearer ${target}` },
              });
              await res.arrayBuffer();
              break;
            }
            case 'start':
              {
                const sub = c.pick % 2 ? AGENT : OTHER;
                writs.push(
                  await startWrit(t, { plan: PLAN, sub, form: { subject_token: await fresh(sub) } }),
                );
              }
              break;
          }
          // Fresh: the view has reached the broker's newest feed entry.
          const snapshot = await t.app.request('/v1/revocations', {
            headers: { authorization: `Bearer ${revoker}` },
          });
          const newest = ((await snapshot.json()) as { last_id: string }).last_id;
          await until(() => reached(verifier, feedId ?? newest));
          for (const writ of writs) {
            const active = await brokerSaysActive(writ);
            const code = await codeOf(verifier.verify(writ));
            expect({ writ: writ.slice(-8), active, code }).toEqual({
              writ: writ.slice(-8),
              active,
              code: active ? 'accepted' : 'ERR_WRIT_REVOKED',
            });
          }
        }
      }),
      { numRuns: 25 },
    );
  });
});

import { HANDOFF_TOKEN_TYPE } from '@writ/claims';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORCHESTRATOR, scopeOf, startWrit, worker } from './support/fixtures.js';
import { API_AUDIENCE, createTestBroker, type TestBroker } from './support/test-broker.js';
import { acceptForm, decodePayload, handoffForm, writForm } from './support/tokens.js';

const TOOLS = ['a.read', 'b.read', 'c.read', 'd.read'];
const OTHER_AUDIENCE = 'https://other.test.example';

interface Writ {
  token: string;
  tools: string[];
  aud: string;
  exp: number;
  client: string;
  chain: string[];
  task: string;
}
interface Handoff {
  token: string;
  parent: Writ;
  worker: string;
}

type Command =
  | { kind: 'handoff'; from: number; to: number; tools: string[]; otherAudience: boolean }
  | { kind: 'accept'; handoff: number; as: number }
  | { kind: 'asWrit'; handoff: number }
  | { kind: 'advance'; seconds: number };

const workerOf = (n: number) => (n === 0 ? ORCHESTRATOR : worker(n));

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    kind: fc.constant('handoff' as const),
    from: fc.nat(6),
    to: fc.integer({ min: 0, max: 3 }),
    tools: fc.subarray([...TOOLS, 'e.read'], { minLength: 0 }),
    otherAudience: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('accept' as const), handoff: fc.nat(6), as: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ kind: fc.constant('asWrit' as const), handoff: fc.nat(6) }),
  fc.record({ kind: fc.constant('advance' as const), seconds: fc.integer({ min: 0, max: 70 }) }),
);

/**
 * Model-based: random handoff / accept sequences (repeats, the wrong worker, expiry, a handoff
 * presented as a writ) never give a writ wider than its parent, never a second writ for one
 * handoff, and never a 5xx.
 */
describe('handoff sequences (memory store)', () => {
  let t: TestBroker;
  beforeAll(async () => {
    t = await createTestBroker({ store: 'memory' });
  });
  afterAll(async () => t.close());

  it('never widen, never accept twice, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 14 }), async (commands) => {
        const root = await startWrit(t, { tools: TOOLS });
        const rootClaims = decodePayload(root);
        const writs: Writ[] = [
          {
            token: root,
            tools: TOOLS,
            aud: API_AUDIENCE,
            exp: rootClaims.exp as number,
            client: ORCHESTRATOR,
            chain: [],
            task: (rootClaims.task as { id: string }).id,
          },
        ];
        const handoffs: Handoff[] = [];
        const accepted = new Set<string>();
        for (const c of commands) {
          if (c.kind === 'advance') {
            t.clock.advance(c.seconds * 1000);
            continue;
          }
          if (c.kind === 'handoff') {
            const parent = writs[c.from % writs.length] as Writ;
            const extra: Record<string, string> = c.tools.length > 0 ? { scope: scopeOf(c.tools) } : {};
            if (c.otherAudience) extra.audience = OTHER_AUDIENCE;
            const res = await t.exchange(handoffForm(parent.token, workerOf(c.to), extra));
            expect(res.status).toBeLessThan(500);
            const body = (await res.json()) as { access_token?: string; issued_token_type?: string };
            if (res.status === 200) {
              expect(body.issued_token_type).toBe(HANDOFF_TOKEN_TYPE);
              expect(c.otherAudience).toBe(false);
              expect(workerOf(c.to)).not.toBe(parent.client);
              handoffs.push({ token: body.access_token as string, parent, worker: workerOf(c.to) });
            }
            continue;
          }
          const handoff = handoffs[c.handoff % Math.max(1, handoffs.length)];
          if (!handoff) continue;
          if (c.kind === 'asWrit') {
            const res = await t.exchange(writForm(handoff.token));
            expect(res.status).toBe(400);
            continue;
          }
          const res = await t.exchange(acceptForm(handoff.token, await t.issuer.svid(workerOf(c.as))));
          expect(res.status).toBeLessThan(500);
          const body = (await res.json()) as { access_token?: string; error?: string };
          if (res.status !== 200) {
            expect(body.error).toBe('invalid_request');
            continue;
          }
          // Exactly one acceptance, by the named worker only.
          expect(accepted.has(handoff.token)).toBe(false);
          accepted.add(handoff.token);
          expect(workerOf(c.as)).toBe(handoff.worker);
          const claims = decodePayload(body.access_token as string);
          const task = claims.task as { id: string; chain: string[] };
          const tools = (claims.authorization_details as [{ tools: string[] }])[0].tools;
          const { parent } = handoff;
          // Never wider than its parent: tools, audience, lifetime; the chain grows by one.
          expect(tools.every((tool) => parent.tools.includes(tool))).toBe(true);
          expect(claims.aud).toBe(parent.aud);
          expect(claims.exp as number).toBeLessThanOrEqual(parent.exp);
          expect(task.chain).toEqual([...parent.chain, parent.task]);
          expect(claims.client_id).toBe(handoff.worker);
          writs.push({
            token: body.access_token as string,
            tools,
            aud: claims.aud as string,
            exp: claims.exp as number,
            client: handoff.worker,
            chain: task.chain,
            task: task.id,
          });
        }
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});

import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestBroker, type TestBroker } from '../../support/test-broker.js';
import { startForm } from '../../support/tokens.js';

const AGENT = 'spiffe://test.example/agents/planner';

function details(entry: Record<string, unknown>): string {
  return JSON.stringify([{ type: 'agent_task', tools: ['jira.read'], ...entry }]);
}

describe.each(['redis', 'memory'] as const)(
  'token exchange: plans and names from the client (%s)',
  (store) => {
    let t: TestBroker;
    beforeEach(async () => {
      t = await createTestBroker({ store });
    });
    afterEach(async () => t.close());

    async function expectRefused(form: Record<string, string>, error: string) {
      const before = await t.snapshot();
      const res = await t.exchange(form);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe(error);
      const after = await t.snapshot();
      // Nothing but the one deny event (and the rate-limit counter) was written.
      const changed = Object.keys(after).filter(
        (key) => JSON.stringify(after[key]) !== JSON.stringify(before[key]),
      );
      expect(changed.filter((key) => !key.endsWith('audit') && !key.includes(':rl:'))).toEqual([]);
    }

    it.each([
      ['duplicate resources', { resources: ['jira:OPS', 'jira:OPS'] }],
      ['duplicate data classes', { data_classes: ['public', 'public'] }],
      ['an empty data class list', { data_classes: [] }],
      ['a bidi override in the intent', { intent: 'triage \u202Eevil' }],
      ['a zero-width space in a resource', { resources: ['jira:OPS\u200B'] }],
    ])('answers %s with 400 invalid_authorization_details, writing nothing', async (_name, entry) => {
      const svid = await t.issuer.svid(AGENT);
      await expectRefused(
        startForm(svid, { scope: '', authorization_details: details(entry) }),
        'invalid_authorization_details',
      );
    });

    it('refuses an over-long SPIFFE principal with 400, never a 5xx', async () => {
      const base = 'spiffe://test.example/agents/';
      // Within the SPIFFE limit (2048) but past what a writ may name (1024), and in between.
      for (const length of [1000, 1100]) {
        const id = `${base}${'x'.repeat(length - base.length)}`;
        await expectRefused(startForm(await t.issuer.svid(id)), 'invalid_request');
      }
    });

    it('never answers 5xx to a random plan (property)', async () => {
      const svid = await t.issuer.svid(AGENT);
      const name = fc.constantFrom('jira.read', 'jira.write', 'x', '', '*', 'a b', 'jira:OPS', '\u202E');
      const entry = fc.record(
        {
          tools: fc.array(name, { maxLength: 4 }),
          resources: fc.array(name, { maxLength: 4 }),
          data_classes: fc.array(fc.constantFrom('public', 'internal', 'secret', ''), { maxLength: 4 }),
          intent: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('\u200B', '\u2066x')),
          ttl: fc.oneof(fc.integer({ min: -5, max: 100_000 }), fc.constant(0)),
        },
        { requiredKeys: [] },
      );
      await fc.assert(
        fc.asyncProperty(entry, async (e) => {
          const res = await t.exchange(
            startForm(svid, {
              scope: '',
              authorization_details: JSON.stringify([{ type: 'agent_task', ...e }]),
            }),
          );
          expect([200, 400]).toContain(res.status);
        }),
        { numRuns: 60 },
      );
    });
  },
);

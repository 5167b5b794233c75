import type { WritClaims } from '@writ/claims';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { livenessInputOf } from '../../../src/runtime/liveness-input.js';
import type { RevocationTarget } from '../../../src/store/index.js';
import { errorOf } from '../../revocation-helpers.js';
import { handoffOf, jtiOf, ORCHESTRATOR, startWrit, taskIdOf, worker } from '../../support/fixtures.js';
import { createTestBroker, type TestBroker } from '../../support/test-broker.js';
import { acceptForm, decodePayload, writForm } from '../../support/tokens.js';

// A revocation landing after the exchange found its subject writ live, and before the new writ is
// committed, must still kill the exchange: the commit re-checks the subject atomically. The race is
// made deterministic by revoking from inside the store's commitIssuance, just before it runs.
describe.each(['memory', 'redis'] as const)('a revocation racing a re-exchange (%s)', (store) => {
  let t: TestBroker;
  beforeEach(async () => {
    t = await createTestBroker({ store });
  });
  afterEach(async () => t.close());

  /** The next commitIssuance first applies `target`, then commits as usual. */
  function revokeBeforeNextCommit(target: RevocationTarget): void {
    const commit = t.store.commitIssuance.bind(t.store);
    t.store.commitIssuance = async (input) => {
      t.store.commitIssuance = commit;
      const audit = { type: 'task.revoked' as const, time: t.clock.nowMs(), request_id: 'race', reasons: [] };
      await t.store.revoke({ target, reason: 'race', audit: { ...audit, decision: 'info' } });
      return commit(input);
    };
  }

  const targets: Array<[string, (writ: string) => RevocationTarget]> = [
    ['jti', (writ) => ({ kind: 'writ', jti: jtiOf(writ) })],
    ['principal', () => ({ kind: 'principal', principal: ORCHESTRATOR })],
    ['issuer', () => ({ kind: 'issuer', issuer: 'spiffe:test.example' })],
    ['all', () => ({ kind: 'all' })],
  ];
  const flows: Array<[string, (t: TestBroker, writ: string) => Promise<Record<string, string>>]> = [
    ['re-exchange', async (_t, writ) => writForm(writ, { scope: 'tool:a.read' })],
    [
      'delegation',
      // The handoff is asked for before the race; the worker's acceptance races the revocation.
      async (t, writ) =>
        acceptForm(
          await handoffOf(t, writ, worker(1), { tools: ['a.read'] }),
          await t.issuer.svid(worker(1)),
        ),
    ],
  ];

  describe.each(flows)('%s', (_flow, formOf) => {
    it.each(targets)(
      'revoked by %s just before the commit: 400, the subject stays dead, no new writ',
      async (_kind, target) => {
        const writ = await startWrit(t);
        const claims = decodePayload(writ) as unknown as WritClaims;
        const form = await formOf(t, writ);
        const tasksBefore = (await t.store.listTasks({ limit: 200 })).items.map((task) => task.id);
        revokeBeforeNextCommit(target(writ));

        expect(await errorOf(await t.exchange(form))).toEqual({
          status: 400,
          error: 'invalid_request',
          description: 'subject_token is no longer live',
        });
        // Nothing was issued: the task still has only the subject writ, and no task was created.
        expect((await t.store.getTaskWrits(taskIdOf(writ))).map((w) => w.jti)).toEqual([jtiOf(writ)]);
        expect((await t.store.listTasks({ limit: 200 })).items.map((task) => task.id)).toEqual(tasksBefore);
        const denied = (await t.auditEvents()).filter((e) => e.type === 'exchange.denied');
        expect(denied.map((e) => e.reasons)).toEqual([['subject_not_live']]);
        // The subject stays dead, for the broker and for a retry.
        expect(await t.store.checkWritLive(livenessInputOf(claims))).toMatchObject({ live: false });
        expect((await t.exchange(form)).status).toBe(400);
      },
    );
  });
});

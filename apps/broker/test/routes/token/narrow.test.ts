import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { delegateWrit } from '../../support/fixtures.js';
import { createTestBroker, type TestBroker } from '../../support/test-broker.js';
import { decodePayload, handoffForm, startForm, writForm } from '../../support/tokens.js';

const DETAILS = JSON.stringify([
  {
    type: 'agent_task',
    tools: ['github.issues.create', 'jira.read'],
    resources: ['repo:acme/api', 'jira:PROJ'],
    data_classes: ['public', 'internal'],
    intent: 'triage',
    budget: { total: 10 },
  },
]);

describe.each(['redis', 'memory'] as const)(
  'POST /oauth2/token — another writ of the same task (%s)',
  (store) => {
    let t: TestBroker;
    beforeEach(async () => {
      t = await createTestBroker({ store });
    });
    afterEach(async () => t.close());

    async function start(agent = 'spiffe://test.example/agents/triage') {
      const res = await t.exchange(
        startForm(await t.issuer.svid(agent), { scope: '', authorization_details: DETAILS }),
      );
      expect(res.status).toBe(200);
      return ((await res.json()) as { access_token: string }).access_token;
    }

    it('issues a narrower writ for another audience when the task client proves itself', async () => {
      const writ = await start();
      const res = await t.exchange(
        writForm(writ, {
          audience: 'https://other.test.example',
          scope: 'tool:jira.read',
          actor_token: await t.issuer.svid('spiffe://test.example/agents/triage'),
          actor_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        }),
      );
      expect(res.status).toBe(200);
      const child = decodePayload(((await res.json()) as { access_token: string }).access_token);
      const parent = decodePayload(writ);
      expect(child.task).toEqual(parent.task);
      expect(child.jti).not.toBe(parent.jti);
      expect(child.aud).toBe('https://other.test.example');
      expect(child.scope).toBe('tool:jira.read');
      expect(child.exp as number).toBeLessThanOrEqual(parent.exp as number);
      const events = await t.auditEvents();
      expect(events.map((e) => e.type)).toEqual(['task.started', 'writ.issued']);
    });

    const wider: Array<[string, Record<string, string>]> = [
      ['a tool outside the plan', { scope: 'tool:jira.write' }],
      [
        'a resource outside the plan',
        { authorization_details: '[{"type":"agent_task","tools":["jira.read"],"resources":["jira:OTHER"]}]' },
      ],
      [
        'a higher data class',
        {
          authorization_details:
            '[{"type":"agent_task","tools":["jira.read"],"data_classes":["confidential"]}]',
        },
      ],
      [
        'a bigger budget',
        { authorization_details: '[{"type":"agent_task","tools":["jira.read"],"budget":{"total":11}}]' },
      ],
      [
        'a longer life',
        { authorization_details: '[{"type":"agent_task","tools":["jira.read"],"ttl":3000}]' },
      ],
      [
        'another intent',
        { authorization_details: '[{"type":"agent_task","tools":["jira.read"],"intent":"exfiltrate"}]' },
      ],
    ];

    it.each(wider)(
      'refuses %s (scope lock) with invalid_scope and audits the violation',
      async (_n, extra) => {
        const writ = await start();
        const before = await t.snapshot();
        const res = await t.exchange(writForm(writ, extra));
        expect(res.status).toBe(400);
        expect(((await res.json()) as { error: string }).error).toBe('invalid_scope');
        const events = await t.auditEvents();
        expect(events.at(-1)).toMatchObject({ type: 'exchange.scope_violation', decision: 'deny' });
        const after = await t.snapshot();
        const changed = Object.keys(after).filter(
          (k) => JSON.stringify(after[k]) !== JSON.stringify(before[k]),
        );
        expect(changed.filter((k) => !k.endsWith('audit') && !k.includes(':rl:'))).toEqual([]);
        // The task was not quarantined for an ordinary agent: its writ still works.
        expect((await t.exchange(writForm(writ))).status).toBe(200);
      },
    );

    it('quarantines the task when policy says so, says so, and later exchanges say so too', async () => {
      const writ = await start('spiffe://test.example/greedy/bot');
      const narrow = await t.exchange(writForm(writ, { scope: 'tool:jira.read' }));
      const narrowWrit = ((await narrow.json()) as { access_token: string }).access_token;
      const res = await t.exchange(writForm(writ, { scope: 'tool:jira.write' }));
      expect({ status: res.status, body: await res.json() }).toEqual({
        status: 400,
        body: {
          error: 'invalid_scope',
          error_description:
            "the request exceeds the task's plan (tool_not_in_parent:jira.write); the task was quarantined and every writ of it is dead",
          reason: 'task_quarantined',
        },
      });
      const taskId = (decodePayload(writ).task as { id: string }).id;
      expect((await t.store.getTask(taskId))?.status).toBe('quarantined');
      expect((await t.auditEvents()).map((e) => e.type)).toContain('task.quarantined');
      for (const dead of [writ, narrowWrit]) {
        const again = await t.exchange(writForm(dead));
        expect({ status: again.status, body: await again.json() }).toEqual({
          status: 400,
          body: {
            error: 'invalid_request',
            error_description: 'subject_token is no longer live: its task was quarantined',
            reason: 'task_quarantined',
          },
        });
      }
    });

    it('says which ended status killed a writ: completed, revoked, or an ancestor quarantined', async () => {
      const writ = await start();
      const taskId = (decodePayload(writ).task as { id: string }).id;
      await t.store.revoke({
        target: { kind: 'task', task_id: taskId },
        reason: 'test',
        status: 'completed',
        audit: {
          type: 'task.completed',
          time: t.clock.nowMs(),
          request_id: 'x',
          decision: 'info',
          reasons: [],
        },
      });
      const again = await t.exchange(writForm(writ));
      expect(await again.json()).toEqual({
        error: 'invalid_request',
        error_description: 'subject_token is no longer live: its task was completed',
        reason: 'task_completed',
      });

      const root = await start('spiffe://test.example/greedy/bot');
      const child = await delegateWrit(t, root, 'spiffe://test.example/agents/worker-1', {
        tools: ['jira.read'],
      });
      await t.exchange(writForm(root, { scope: 'tool:jira.write' }));
      const orphan = await t.exchange(writForm(child));
      expect(await orphan.json()).toEqual({
        error: 'invalid_request',
        error_description: 'subject_token is no longer live: its task was quarantined',
        reason: 'task_quarantined',
      });
    });

    it('refuses an expired writ and a tampered writ', async () => {
      const writ = await start();
      const [h, p, s] = writ.split('.');
      const tampered = `${h}.${Buffer.from(JSON.stringify({ ...decodePayload(writ), sub: 'spiffe://test.example/admin' })).toString('base64url')}.${s}`;
      expect(p).toBeTruthy();
      const bad = await t.exchange(writForm(tampered));
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: string }).error).toBe('invalid_request');
      t.clock.advance(301_000);
      const expired = await t.exchange(writForm(writ));
      expect(expired.status).toBe(400);
      expect(((await expired.json()) as { error: string }).error).toBe('invalid_request');
    });

    it('never widens past the writ presented, only within it (confused deputy)', async () => {
      const writ = await start();
      const narrow = await t.exchange(writForm(writ, { scope: 'tool:jira.read' }));
      expect(narrow.status).toBe(200);
      const narrowWrit = ((await narrow.json()) as { access_token: string }).access_token;
      // The writ alone (a downstream holding it) can neither re-target it nor widen it.
      const retarget = await t.exchange(writForm(narrowWrit, { audience: 'https://other.test.example' }));
      expect(retarget.status).toBe(400);
      expect(((await retarget.json()) as { error: string }).error).toBe('invalid_target');
      const wider = await t.exchange(writForm(narrowWrit, { scope: 'tool:github.issues.create' }));
      expect(wider.status).toBe(400);
      expect(((await wider.json()) as { error: string }).error).toBe('invalid_scope');
      // Nor outlive it: a same-audience writ ends no later than the one presented.
      const same = await t.exchange(writForm(narrowWrit));
      expect(same.status).toBe(200);
      const sameClaims = decodePayload(((await same.json()) as { access_token: string }).access_token);
      expect(sameClaims.exp as number).toBeLessThanOrEqual(decodePayload(narrowWrit).exp as number);
      const delegated = await t.exchange(
        handoffForm(narrowWrit, 'spiffe://test.example/agents/worker', {
          scope: 'tool:github.issues.create',
        }),
      );
      expect(delegated.status).toBe(400);
      expect(((await delegated.json()) as { error: string }).error).toBe('invalid_scope');
    });

    it('shows a writ only the per-tool budgets of its own tools, and refuses a budget of its own', async () => {
      const details = JSON.stringify([
        {
          type: 'agent_task',
          tools: ['a.read', 'b.write'],
          budget: { total: 9, per_tool: { 'b.write': 3 } },
        },
      ]);
      const res = await t.exchange(
        startForm(await t.issuer.svid('spiffe://test.example/agents/budget'), {
          scope: '',
          authorization_details: details,
        }),
      );
      expect(res.status).toBe(200);
      const writ = ((await res.json()) as { access_token: string }).access_token;
      const narrow = await t.exchange(writForm(writ, { scope: 'tool:a.read' }));
      expect(narrow.status).toBe(200);
      const claims = decodePayload(((await narrow.json()) as { access_token: string }).access_token);
      expect((claims.task as { budget: unknown }).budget).toEqual({ total: 9 });
      const own = await t.exchange(
        writForm(writ, {
          authorization_details: JSON.stringify([
            { type: 'agent_task', tools: ['a.read'], budget: { total: 1 } },
          ]),
        }),
      );
      expect(own.status).toBe(400);
      expect(((await own.json()) as { error: string }).error).toBe('invalid_scope');
    });
  },
);

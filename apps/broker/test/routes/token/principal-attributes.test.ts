import { TOKEN_TYPE } from '@writ/claims';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { oidcIssuerSchema } from '../../../src/identity/index.js';
import { authorize, bodyOf } from '../../authorize-fixtures.js';
import { errorOf } from '../../revocation-helpers.js';
import {
  createTestSigner,
  sendJson,
  startTestServer,
  type TestServer,
  type TestSigner,
} from '../../support/identity-fixtures.js';
import { API_AUDIENCE, BROKER_ISSUER, createTestBroker, type TestBroker } from '../../support/test-broker.js';
import { acceptForm, handoffForm, startForm, writForm } from '../../support/tokens.js';

const OTHER_AUDIENCE = 'https://other.test.example';
const OIDC_ISSUER = 'https://k8s.idp.test.example';
const WORKER = 'spiffe://test.example/agents/worker-1';

// Tag policies on an OIDC workload, in the style of deploy/policies/ci.cedar. Starting a task
// for the default audience only needs the tag to exist; everything after it — a writ for another
// audience, a delegation, a tool call — needs namespace "agents". So a principal whose tags were
// lost after start_task is refused everything but the first step.
const POLICIES = `
@id("oidc-start")
permit (principal, action == Writ::Action::"start_task", resource)
when {
  principal.kind == "oidc" && principal.hasTag("namespace") &&
  context.audience == "${API_AUDIENCE}"
};

@id("oidc-agents-start")
permit (principal, action == Writ::Action::"start_task", resource)
when { principal.hasTag("namespace") && principal.getTag("namespace") == "agents" };

@id("oidc-agents-delegate")
permit (principal, action == Writ::Action::"delegate", resource)
when { principal.hasTag("namespace") && principal.getTag("namespace") == "agents" };

@id("oidc-agents-call")
permit (principal, action == Writ::Action::"call_tool", resource)
when { principal.hasTag("namespace") && principal.getTag("namespace") == "agents" };

@id("worker-call")
permit (principal, action == Writ::Action::"call_tool", resource)
when { principal.hasTag("path") && principal.getTag("path") like "/agents/*" };
`;

describe.each(['memory', 'redis'] as const)('principal tags after start_task (%s)', (store) => {
  let server: TestServer;
  let signer: TestSigner;
  let t: TestBroker;
  beforeAll(async () => {
    signer = await createTestSigner('ES256', 'k8s-1');
    server = await startTestServer();
    server.route('/jwks', sendJson({ keys: [signer.publicJwk] }));
  });
  afterAll(async () => server.close());
  beforeEach(async () => {
    t = await createTestBroker({
      store,
      policies: POLICIES,
      config: (c) => ({
        ...c,
        trust: {
          ...c.trust,
          oidc: [
            oidcIssuerSchema.parse({
              name: 'k8s',
              issuer: OIDC_ISSUER,
              jwks_uri: `${server.url}/jwks`,
              audience: BROKER_ISSUER,
              attribute_claims: ['namespace'],
            }),
          ],
        },
      }),
    });
  });
  afterEach(async () => t.close());

  function oidcToken(sub: string, namespace: string): Promise<string> {
    const now = t.clock.nowSeconds();
    return signer.token({ iss: OIDC_ISSUER, sub, aud: BROKER_ISSUER, iat: now, exp: now + 300, namespace });
  }

  let namespaceOfWrit = new Map<string, string>();
  async function start(namespace: string): Promise<string> {
    const sub = `system:serviceaccount:${namespace}:planner`;
    const res = await t.exchange(startForm(await oidcToken(sub, namespace), { scope: 'tool:jira.read' }));
    expect(res.status).toBe(200);
    const writ = ((await res.json()) as { access_token: string }).access_token;
    namespaceOfWrit = new Map([[writ, namespace]]);
    return writ;
  }

  // A new audience needs the task's own client to prove itself (its identity as actor_token).
  const toOtherAudience = async (writ: string) => {
    const namespace = namespaceOfWrit.get(writ) ?? '';
    const clientToken = await oidcToken(`system:serviceaccount:${namespace}:planner`, namespace);
    return t.exchange(
      writForm(writ, {
        audience: OTHER_AUDIENCE,
        actor_token: clientToken,
        actor_token_type: TOKEN_TYPE.jwt,
      }),
    );
  };
  // The handoff is refused when policy refuses the delegation; else the worker accepts it.
  const delegate = async (writ: string) => {
    const asked = await t.exchange(handoffForm(writ, WORKER));
    if (asked.status !== 200) return asked;
    const { access_token: handoff } = (await asked.json()) as { access_token: string };
    return t.exchange(acceptForm(handoff, await t.issuer.svid(WORKER)));
  };
  const callJira = (writ: string) => authorize(t, { writ, tool: 'jira.read' });

  it('a long OIDC principal (510 characters, its rate-limit key longer still) gets a writ, not a 500', async () => {
    const sub = `system:serviceaccount:agents:${'p'.repeat(500 - 'system:serviceaccount:agents:'.length)}`;
    const res = await t.exchange(startForm(await oidcToken(sub, 'agents'), { scope: 'tool:jira.read' }));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { access_token: string }).access_token.split('.')).toHaveLength(3);
  });

  it('namespace "agents": re-exchange, delegation and calls are allowed by tag policies', async () => {
    const writ = await start('agents');
    expect((await toOtherAudience(writ)).status).toBe(200);
    const res = await callJira(writ);
    expect(res.status).toBe(200);
    expect(await bodyOf(res)).toMatchObject({ decision: 'allow', reasons: [] });

    const delegated = await delegate(writ);
    expect(delegated.status).toBe(200);
    // The child's client is the SPIFFE worker: its own attributes (path) are its tags.
    const child = ((await delegated.json()) as { access_token: string }).access_token;
    expect(await bodyOf(await callJira(child))).toMatchObject({ decision: 'allow', reasons: [] });
  });

  it('namespace "other": the same requests are refused by the same policies', async () => {
    const writ = await start('other');
    // The tag is there (the same-audience re-exchange needs hasTag) but has the wrong value.
    expect((await t.exchange(writForm(writ))).status).toBe(200);
    expect(await errorOf(await toOtherAudience(writ))).toMatchObject({ status: 400, error: 'invalid_scope' });
    expect(await errorOf(await delegate(writ))).toMatchObject({ status: 400, error: 'invalid_scope' });
    const res = await callJira(writ);
    expect(res.status).toBe(403);
    expect(await bodyOf(res)).toMatchObject({ decision: 'deny', reasons: ['policy:default_deny'] });
  });

  it('keeps the verified attributes in the task record', async () => {
    const writ = await start('agents');
    const taskId = (
      JSON.parse(Buffer.from(writ.split('.')[1] ?? '', 'base64url').toString()) as {
        task: { id: string };
      }
    ).task.id;
    expect((await t.store.getTask(taskId))?.client_attributes).toEqual({ namespace: 'agents' });
  });

  // A tag a policy could not see whole refuses the identity: dropping or cutting it could let a
  // forbid that reads it fail open.
  it('refuses an identity attribute longer than policies see whole', async () => {
    const res = await t.exchange(
      startForm(await oidcToken('system:serviceaccount:agents:planner', 'a'.repeat(300)), {
        scope: 'tool:jira.read',
      }),
    );
    expect(await errorOf(res)).toMatchObject({ status: 400, error: 'invalid_request' });
    const denied = (await t.auditEvents()).filter((e) => e.type === 'exchange.denied');
    expect(denied.map((e) => e.reasons)).toEqual([['subject_token:attribute_too_long']]);
  });

  // An OIDC principal that cannot name a store key (a GitHub job_workflow_ref with "{" in a
  // branch name) is a bad identity — 400 — never a 500 from the store, and nothing is written.
  it.each(['feat{x}', 'with space', 'tab\there'])(
    'refuses principal %j with 400 invalid_request',
    async (sub) => {
      const withoutAudit = (snapshot: Record<string, unknown>) =>
        Object.fromEntries(Object.entries(snapshot).filter(([key]) => !key.endsWith('audit')));
      const before = withoutAudit(await t.snapshot());
      const res = await t.exchange(startForm(await oidcToken(sub, 'agents'), { scope: 'tool:jira.read' }));
      expect(await errorOf(res)).toMatchObject({ status: 400, error: 'invalid_request' });
      expect(withoutAudit(await t.snapshot())).toEqual(before);
      const denied = (await t.auditEvents()).filter((e) => e.type === 'exchange.denied');
      expect(denied.map((e) => e.reasons)).toEqual([['subject_token:bad_subject']]);
    },
  );
});

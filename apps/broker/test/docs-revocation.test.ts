import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorOf, postRevocation } from './revocation-helpers.js';
import { createTestOperatorKey, jtiOf, startWrit, taskIdOf } from './support/fixtures.js';
import { createTestBroker, TEST_POLICIES, type TestBroker } from './support/test-broker.js';
import { createTestIssuer, type TestIssuer } from './support/test-issuer.js';
import { startForm } from './support/tokens.js';

const DOC = readFileSync(new URL('../../../docs/revocation.md', import.meta.url), 'utf8');
const PLANNER = 'spiffe://example.org/agents/planner';

/** Every `{ …json… } // → <status>` line of the page's json blocks: the request bodies it shows. */
function documentedBodies(): Array<{ body: string; status: number }> {
  const blocks = [...DOC.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  return blocks.flatMap((block) =>
    block.split('\n').flatMap((line) => {
      const match = /^(\{.*\})\s*\/\/ → (\d{3})/.exec(line);
      return match ? [{ body: (match[1] ?? '').trim(), status: Number(match[2]) }] : [];
    }),
  );
}

/** docs/revocation.md: its request examples and the ban walk-through, run against a broker. */
describe.each(['memory', 'redis'] as const)('docs/revocation.md examples (%s)', (store) => {
  let t: TestBroker;
  let exampleOrg: TestIssuer;
  let revoker: string;
  beforeEach(async () => {
    const clock = { now: () => 0 };
    exampleOrg = await createTestIssuer({
      audience: 'https://writ.test.example',
      nowSeconds: () => clock.now(),
      trustDomain: 'example.org',
    });
    t = await createTestBroker({
      store,
      // The page's examples use example.org: trusted and allowed to start tasks like test.example.
      policies: TEST_POLICIES.replaceAll(
        'principal.trust_domain == "test.example"',
        '(principal.trust_domain == "test.example" || principal.trust_domain == "example.org")',
      ),
      config: (c) => ({ ...c, trust: { spiffe: [...c.trust.spiffe, exampleOrg.config], oidc: [] } }),
    });
    clock.now = () => t.clock.nowSeconds();
    revoker = (await createTestOperatorKey(t, ['revoke'])).key;
  });
  afterEach(async () => t.close());

  it('shows request bodies that answer as the page says', async () => {
    const examples = documentedBodies();
    expect(examples.length).toBeGreaterThanOrEqual(10);
    const writ = await startWrit(t);
    for (const { body, status } of examples) {
      const filled = body.replace('<task id>', taskIdOf(writ)).replace('<writ jti>', jtiOf(writ));
      const res = await postRevocation(t.app, revoker, filled);
      expect({ body, status: res.status }).toEqual({ body, status });
      if (status === 400) expect((await errorOf(res)).error).toBe('invalid_request');
      else await res.body?.cancel();
    }
  });

  it('runs the ban walk-through', async () => {
    expect(DOC).toContain(`Walk-through, with \`${PLANNER}\``);
    const leaked = await exampleOrg.svid(PLANNER);
    t.clock.advance(10_000);
    expect((await t.exchange(startForm(leaked))).status).toBe(200);
    expect((await postRevocation(t.app, revoker, { principal: PLANNER })).status).toBe(200);
    expect(await errorOf(await t.exchange(startForm(leaked)))).toMatchObject({
      status: 400,
      error: 'invalid_request',
    });
    const sameSecond = await exampleOrg.svid(PLANNER);
    expect((await t.exchange(startForm(sameSecond))).status).toBe(400);
    t.clock.advance(1000);
    const fresh = await exampleOrg.svid(PLANNER);
    expect((await t.exchange(startForm(fresh))).status).toBe(200);
  });
});

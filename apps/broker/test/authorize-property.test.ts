import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT, authorize, introspect } from './authorize-fixtures.js';
import { createTestOperatorKey, startWrit } from './support/fixtures.js';
import { createTestBroker, type TestBroker } from './support/test-broker.js';

const CHARS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \u0000é'];

describe('a mutated writ is never allowed nor active (property, memory store)', () => {
  let t: TestBroker;
  let key: string;
  let writ: string;
  beforeAll(async () => {
    t = await createTestBroker({ store: 'memory' });
    key = (await createTestOperatorKey(t, ['introspect'])).key;
    writ = await startWrit(t, { plan: { tools: ['jira.read'], resources: ['jira:OPS'] }, sub: AGENT });
    expect((await authorize(t, { writ, tool: 'jira.read' })).status).toBe(200);
    expect((await (await introspect(t, key, writ)).json()) as { active: boolean }).toMatchObject({
      active: true,
    });
  });
  afterAll(async () => t.close());
  const deniedLines = () => t.logs.filter((line) => JSON.parse(line).msg === 'action.denied').length;

  it('any single-character change is refused at /v1/authorize and inactive at introspection', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: writ.length - 1 }), fc.constantFrom(...CHARS), async (index, char) => {
        fc.pre(writ[index] !== char);
        const mutated = `${writ.slice(0, index)}${char}${writ.slice(index + 1)}`;
        const before = deniedLines();
        const res = await authorize(t, { writ: mutated, tool: 'jira.read', resource: 'jira:OPS' });
        expect(res.status).toBe(401);
        // One audit event per call; past the unauthenticated budget it is the named log line only.
        expect(deniedLines()).toBe(before + 1);
        const seen = await introspect(t, key, mutated);
        expect(seen.status).toBe(200);
        expect(await seen.json()).toEqual({ active: false });
      }),
      { numRuns: 200 },
    );
  });

  it('the last signature character has no second spelling', async () => {
    for (const char of CHARS.slice(0, 64)) {
      if (char === writ.at(-1)) continue;
      const res = await authorize(t, { writ: `${writ.slice(0, -1)}${char}`, tool: 'jira.read' });
      expect(res.status).toBe(401);
    }
  });
});

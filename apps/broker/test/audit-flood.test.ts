import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BrokerConfig } from '../src/config.js';
import { AGENT, authorize } from './authorize-fixtures.js';
import { startWrit } from './support/fixtures.js';
import { createTestBroker, type TestBroker } from './support/test-broker.js';
import { startForm } from './support/tokens.js';

const GARBAGE = { writ: 'not.a.writ', tool: 'jira.read' };

// In-process requests have no peer address: they all share the `unknown` source.
describe('unauthenticated denials cannot flush the audit stream', () => {
  let t: TestBroker;
  beforeEach(async () => {
    t = await createTestBroker({ store: 'memory' });
  });
  afterEach(async () => t.close());

  const namedLines = (msg: string) =>
    t.logs
      .map((line) => JSON.parse(line) as { msg?: string; audit_stored?: boolean })
      .filter((l) => l.msg === msg);
  const eventsOf = async (type: string) => (await t.auditEvents()).filter((e) => e.type === type);

  async function flood(n: number): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < n; i += 1) statuses.push((await authorize(t, GARBAGE)).status);
    return statuses;
  }

  it('stores 60 garbage-writ denials per source and window, logs all, then one audit.suppressed', async () => {
    const statuses = await flood(100);
    expect(statuses).toEqual(Array(100).fill(401));
    expect(await eventsOf('action.denied')).toHaveLength(60);
    const lines = namedLines('action.denied');
    expect(lines).toHaveLength(100);
    expect(lines.filter((l) => l.audit_stored === false)).toHaveLength(40);
    expect(await eventsOf('audit.suppressed')).toEqual([]);

    t.clock.advance(60_000);
    expect((await authorize(t, GARBAGE)).status).toBe(401);
    const suppressed = await eventsOf('audit.suppressed');
    expect(suppressed).toHaveLength(1);
    expect(suppressed[0]).toMatchObject({
      decision: 'info',
      reasons: ['unauthenticated_flood'],
      detail: { source: 'unknown', suppressed: 40 },
    });
    expect(await eventsOf('action.denied')).toHaveLength(61);
    expect(namedLines('audit.suppressed')).toHaveLength(1);
  });

  it('budgets bad subject_tokens at the token endpoint in the same way', async () => {
    for (let i = 0; i < 70; i += 1) {
      expect((await t.exchange(startForm('garbage'))).status).toBe(400);
    }
    expect(await eventsOf('exchange.denied')).toHaveLength(60);
    expect(namedLines('exchange.denied')).toHaveLength(70);
  });

  it("never suppresses a verified principal's denials, even after the source's budget is spent", async () => {
    const writ = await startWrit(t, { plan: { tools: ['jira.read'] }, sub: AGENT });
    await flood(61);
    for (let i = 0; i < 100; i += 1) {
      expect((await authorize(t, { writ, tool: 'jira.write' })).status).toBe(403);
    }
    const denied = (await eventsOf('action.denied')).filter((e) => e.principal === AGENT);
    expect(denied).toHaveLength(100);
  });
});

describe.each(['redis', 'memory'] as const)(
  'operator.auth_failed cannot flush the audit stream (%s)',
  (store) => {
    let t: TestBroker;
    afterEach(async () => t.close());

    it('2,000 credential-less requests from 100 addresses store at most the global budget, one summary', async () => {
      t = await createTestBroker({
        store,
        config: (c: BrokerConfig): BrokerConfig => ({ ...c, trusted_proxies: ['127.0.0.1'] }),
      });
      const url = await t.listen();
      const before = (await t.auditEvents()).length;
      const statuses: number[] = [];
      for (let round = 0; round < 20; round++) {
        const answers = await Promise.all(
          Array.from({ length: 100 }, (_, i) =>
            fetch(`${url}/v1/audit`, { headers: { 'x-forwarded-for': `198.51.100.${i + 1}` } }),
          ),
        );
        statuses.push(...answers.map((r) => r.status));
      }
      expect(statuses).toEqual(Array(2000).fill(401));
      const events = await t.auditEvents();
      const failed = events.filter((e) => e.type === 'operator.auth_failed');
      // The global unauthenticated budget: 1,000 per 60 s across all sources.
      expect(failed).toHaveLength(1000);
      expect(events.length - before).toBe(1000);
      expect(new Set(failed.map((e) => (e.detail as { client: string }).client)).size).toBe(100);

      t.clock.advance(60_000);
      expect(
        (await fetch(`${url}/v1/audit`, { headers: { 'x-forwarded-for': '198.51.100.1' } })).status,
      ).toBe(401);
      const suppressed = (await t.auditEvents()).filter((e) => e.type === 'audit.suppressed');
      expect(suppressed).toHaveLength(1);
      expect(suppressed[0]).toMatchObject({ detail: { source: '*', suppressed: 1000 } });
    });
  },
);

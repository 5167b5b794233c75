import { afterEach, describe, expect, it } from 'vitest';
import { createAuditLog } from '../src/audit/audit-log.js';
import { bootstrapOnStart, runBootstrapCommand } from '../src/process/bootstrap-admin.js';
import { silentLogger } from '../src/shared/logger.js';
import { createTestBroker, type TestBroker } from './support/test-broker.js';

describe.each(['redis', 'memory'] as const)('bootstrapping the first admin key (%s)', (store) => {
  let t: TestBroker;
  afterEach(async () => t?.close());

  const capture = () => {
    const out = { stdout: '', stderr: '' };
    return {
      out,
      output: {
        stdout: (s: string) => {
          out.stdout += s;
        },
        stderr: (s: string) => {
          out.stderr += s;
        },
      },
    };
  };
  const deps = () => ({
    store: t.store,
    clock: t.clock,
    audit: createAuditLog({ store: t.store, logger: silentLogger }),
  });

  it('a production start on an empty (e.g. lost) dataset prints no key and creates none', async () => {
    t = await createTestBroker({ store });
    const { out, output } = capture();
    await bootstrapOnStart({ dev: false }, deps(), silentLogger, output);
    expect(out).toEqual({ stdout: '', stderr: '' });
    expect(await t.store.listOperatorKeys()).toEqual([]);
    expect((await t.auditEvents()).filter((e) => e.type === 'operator_key.bootstrapped')).toEqual([]);
  });

  it('a dev start still prints one key on the very first start only', async () => {
    t = await createTestBroker({ store });
    const first = capture();
    await bootstrapOnStart({ dev: true }, deps(), silentLogger, first.output);
    expect(first.out.stderr).toMatch(/writ_[a-z2-7]{16}_[A-Za-z0-9_-]{43}/);
    const again = capture();
    await bootstrapOnStart({ dev: true }, deps(), silentLogger, again.output);
    expect(again.out).toEqual({ stdout: '', stderr: '' });
  });

  it('`bootstrap` prints the key once on stdout, then refuses', async () => {
    t = await createTestBroker({ store });
    const first = capture();
    expect(await runBootstrapCommand(deps(), first.output)).toBe(0);
    const key = first.out.stdout.trim();
    expect(key).toMatch(/^writ_[a-z2-7]{16}_[A-Za-z0-9_-]{43}$/);
    expect(
      (await t.app.request('/v1/operator-keys', { headers: { authorization: `Bearer ${key}` } })).status,
    ).toBe(200);
    const second = capture();
    expect(await runBootstrapCommand(deps(), second.output)).toBe(1);
    expect(second.out.stdout).toBe('');
    expect(second.out.stderr).toContain('refused');
    expect(await t.store.listOperatorKeys()).toHaveLength(1);
  });
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildRequest, createRecordingLogger } from '../../test/support/policy-fixtures.js';
import { silentLogger } from '../shared/logger.js';
import { DEV_POLICIES } from './dev-policies.js';
import { loadPolicyDir } from './load-policy-dir.js';
import { createPolicyEngine, createStaticPolicyEngine, type PolicyEngine } from './policy-engine.js';
import { PolicyLoadError } from './policy-load-error.js';
import { createPolicySet } from './policy-set.js';

const permitTool = (tool: string) =>
  `@id("allow-${tool}")\npermit (principal, action, resource) when { resource.name == "${tool}" };\n`;
const broken = '// edited by hand\n\npermit (principal, action resource);\n';

async function waitFor(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('createPolicyEngine', () => {
  let dir: string;
  let engine: PolicyEngine | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'writ-policies-'));
  });
  afterEach(async () => {
    engine?.close();
    engine = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  const allowed = (tool: string) => {
    if (!engine) throw new Error('no engine started');
    return engine.evaluate(buildRequest({ tool })).allowed;
  };

  it('picks up a valid change from the watched directory', async () => {
    await writeFile(join(dir, 'a.cedar'), permitTool('alpha'));
    engine = await createPolicyEngine({ dir, logger: silentLogger, watch: true });
    const before = engine.version();
    expect(allowed('alpha')).toBe(true);
    expect(allowed('beta')).toBe(false);

    await writeFile(join(dir, 'b.cedar'), permitTool('beta'));
    await waitFor(() => allowed('beta'));
    expect(engine.version()).not.toBe(before);
    expect(engine.evaluate(buildRequest({ tool: 'beta' })).reasons).toEqual(['allow-beta']);
  });

  it('keeps enforcing the old set when a watched change is invalid, and logs the problems', async () => {
    await writeFile(join(dir, 'a.cedar'), permitTool('alpha'));
    const logger = createRecordingLogger();
    engine = await createPolicyEngine({ dir, logger, watch: true });
    const before = engine.version();

    await writeFile(join(dir, 'a.cedar'), broken);
    const rejected = () =>
      logger.records.filter((r) => r.level === 'error' && r.msg === 'policy reload rejected');
    await waitFor(() => rejected().length > 0);
    const [first] = rejected();
    const { problems } = (first?.obj ?? { problems: [] }) as {
      problems: Array<{ file: string; line: number }>;
    };
    expect(problems.map((p) => `${p.file}:${p.line}`)).toEqual(['a.cedar:3']);
    expect(engine.version()).toBe(before);
    expect(allowed('alpha')).toBe(true);
  });

  it('reload() swaps in a valid set and rejects an invalid one', async () => {
    await writeFile(join(dir, 'a.cedar'), permitTool('alpha'));
    const logger = createRecordingLogger();
    engine = await createPolicyEngine({ dir, logger });

    await writeFile(join(dir, 'a.cedar'), permitTool('gamma'));
    expect(allowed('gamma')).toBe(false);
    expect(await engine.reload()).toEqual({ ok: true });
    expect(allowed('gamma')).toBe(true);
    expect(allowed('alpha')).toBe(false);
    const version = engine.version();

    await writeFile(join(dir, 'b.cedar'), broken);
    const result = await engine.reload();
    expect(result).toMatchObject({ ok: false });
    expect(result.ok ? [] : result.problems.map((p) => `${p.file}:${p.line}`)).toEqual(['b.cedar:3']);
    expect(logger.records.filter((r) => r.level === 'error').map((r) => r.msg)).toEqual([
      'policy reload rejected',
    ]);
    expect(engine.version()).toBe(version);
    expect(allowed('gamma')).toBe(true);
  });

  it('refuses to start on an empty directory or on one without policies', async () => {
    await expect(createPolicyEngine({ dir, logger: silentLogger })).rejects.toBeInstanceOf(PolicyLoadError);
    await writeFile(join(dir, 'notes.txt'), permitTool('alpha'));
    await writeFile(join(dir, '.a.cedar'), permitTool('alpha'));
    await expect(loadPolicyDir(dir)).rejects.toMatchObject({
      problems: [{ file: dir, line: 0, message: 'no *.cedar files; refusing to start without policies' }],
    });
    await writeFile(join(dir, 'only-comments.cedar'), '// nothing here yet\n');
    await expect(loadPolicyDir(dir)).rejects.toBeInstanceOf(PolicyLoadError);
  });

  it('refuses to start on an invalid directory with the file and line', async () => {
    await writeFile(join(dir, 'a.cedar'), permitTool('alpha'));
    await writeFile(join(dir, 'b.cedar'), broken);
    const error = await createPolicyEngine({ dir, logger: silentLogger }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(PolicyLoadError);
    expect((error as PolicyLoadError).problems.map((p) => `${p.file}:${p.line}`)).toEqual(['b.cedar:3']);
  });

  it('loads files in name order and reports a missing directory', async () => {
    await writeFile(join(dir, 'b.cedar'), permitTool('beta'));
    await writeFile(join(dir, 'a.cedar'), permitTool('alpha'));
    expect((await loadPolicyDir(dir)).policyIds).toEqual(['allow-alpha', 'allow-beta']);
    await expect(loadPolicyDir(join(dir, 'missing'))).rejects.toMatchObject({
      problems: [{ file: join(dir, 'missing'), line: 0, message: 'cannot read policy directory: ENOENT' }],
    });
  });
});

describe('createStaticPolicyEngine', () => {
  it('evaluates a fixed set and treats reload as a no-op', async () => {
    const set = createPolicySet([{ file: 'dev.cedar', text: DEV_POLICIES }]);
    const engine = createStaticPolicyEngine(set);
    expect(engine.version()).toBe(set.version);
    expect(await engine.reload()).toEqual({ ok: true });
    expect(engine.evaluate(buildRequest()).reasons).toEqual(['dev-start-and-call']);
    expect(
      engine.evaluateAll([buildRequest(), buildRequest({ context: { dataClass: 'restricted' } })]),
    ).toEqual({
      allowed: false,
      reasons: ['default_deny'],
      errors: [],
    });
    engine.close();
  });
});

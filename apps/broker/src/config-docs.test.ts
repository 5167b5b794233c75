import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { configFileSchema } from './config.js';

const repoFile = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');

interface Inner {
  _zod: { def: { type: string; innerType?: z.ZodType; shape?: Record<string, z.ZodType> } };
}

/** Every configurable path: object fields recursively; a list (trust.spiffe) is one path. */
function leafPaths(schema: z.ZodType, prefix = ''): string[] {
  let def = (schema as unknown as Inner)._zod.def;
  while (def.innerType) def = (def.innerType as unknown as Inner)._zod.def;
  if (def.type !== 'object' || !def.shape) return [prefix];
  return Object.entries(def.shape).flatMap(([name, field]) =>
    leafPaths(field, prefix ? `${prefix}.${name}` : name),
  );
}

function hasPath(value: unknown, path: string): boolean {
  let current = value;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, part)) return false;
    current = (current as Record<string, unknown>)[part];
  }
  return true;
}

const PATHS = leafPaths(configFileSchema);

describe('every configuration key is documented and in the sample', () => {
  it('finds the keys in the schema', () => {
    expect(PATHS).toContain('redis.wait_replicas');
    expect(PATHS).toContain('trust.spiffe');
    expect(PATHS).toContain('rate_limits.token.window_seconds');
  });

  it('docs/configuration.md names each key', () => {
    const doc = repoFile('docs/configuration.md');
    expect(PATHS.filter((path) => !doc.includes(`\`${path}`))).toEqual([]);
  });

  it('deploy/writ.yaml sets each key', () => {
    const sample: unknown = parseYaml(repoFile('deploy/writ.yaml'));
    expect(PATHS.filter((path) => !hasPath(sample, path))).toEqual([]);
  });
});

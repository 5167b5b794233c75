import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkWithin, parseWritClaims, planFromClaims, WRIT_TYP } from './index.js';

// docs/tokens.md is the reference for writ claims; its examples must stay valid writs.
const markdown = readFileSync(new URL('../../../docs/tokens.md', import.meta.url), 'utf8');
const blocks = [...markdown.matchAll(/```json\n([\s\S]*?)```/g)].map(
  (match) => JSON.parse(match[1] ?? '') as unknown,
);
const headers = blocks.filter((block) => typeof block === 'object' && block !== null && 'typ' in block);
const claims = blocks.filter((block) => typeof block === 'object' && block !== null && 'jti' in block);

describe('docs/tokens.md examples', () => {
  it('contain two headers and two claim sets', () => {
    expect(headers).toHaveLength(2);
    expect(claims).toHaveLength(2);
  });

  it('use the at+jwt header with a kid', () => {
    for (const header of headers)
      expect(header).toEqual({ alg: 'ES256', kid: 'writ-2026-01', typ: WRIT_TYP });
  });

  it('are valid writs, the delegated one within the root one', () => {
    const [root, delegated] = claims.map((block) => parseWritClaims(block));
    if (!root?.ok || !delegated?.ok) throw new Error(JSON.stringify([root, delegated]));
    expect(root.claims.task.chain).toEqual([]);
    expect(delegated.claims.task.chain[0]).toBe(root.claims.task.id);
    expect(delegated.claims.exp).toBeLessThanOrEqual(root.claims.exp);
    expect(checkWithin(planFromClaims(delegated.claims), planFromClaims(root.claims))).toEqual({ ok: true });
  });
});

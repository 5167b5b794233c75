import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AUDIT_EVENT_TYPES } from './audit-event.js';

describe('audit event types', () => {
  it('docs/operator-api.md lists exactly the types the code can write', () => {
    const doc = readFileSync(new URL('../../../../docs/operator-api.md', import.meta.url), 'utf8');
    const start = doc.indexOf('#### Event types');
    const end = doc.indexOf('\n#', start + 1);
    const section = doc.slice(start, end === -1 ? undefined : end);
    const listed = [...section.matchAll(/^\|\s*`([a-z_]+\.[a-z_]+)`\s*\|/gm)].map((m) => m[1]);
    expect([...listed].sort()).toEqual([...AUDIT_EVENT_TYPES].sort());
  });
});

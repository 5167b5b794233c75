import { policyToJson } from '@cedar-policy/cedar-wasm/nodejs';

/** The context fields a policy set reads, or `all` when one reads the record as a whole. */
export type ContextUsage = ReadonlySet<string> | 'all';

/**
 * Walks each policy's JSON form (Cedar's EST) for `context.<attr>` and `context has <attr>`.
 * Any other use of `context` (compared whole, passed to a function) — or a policy whose JSON
 * form cannot be read — counts as reading every field, so a decision is never reused across
 * requests that differ in a field some policy could see.
 */
export function contextFieldsReadBy(policyTexts: readonly string[]): ContextUsage {
  const fields = new Set<string>();
  for (const text of policyTexts) {
    const answer = policyToJson(text);
    if (answer.type !== 'success') return 'all';
    if (!collect(answer.json, fields)) return 'all';
  }
  return fields;
}

/** False when `context` is used other than through a named attribute. */
function collect(node: unknown, fields: Set<string>): boolean {
  if (Array.isArray(node)) return node.every((item) => collect(item, fields));
  if (node === null || typeof node !== 'object') return true;
  const record = node as Record<string, unknown>;
  if (record.Var === 'context') return false;
  for (const op of ['.', 'has']) {
    const access = record[op] as { left?: unknown; attr?: unknown } | undefined;
    if (access && isContextVar(access.left) && typeof access.attr === 'string') {
      fields.add(access.attr);
      return true;
    }
  }
  return Object.values(record).every((value) => collect(value, fields));
}

function isContextVar(node: unknown): boolean {
  return node !== null && typeof node === 'object' && (node as { Var?: unknown }).Var === 'context';
}

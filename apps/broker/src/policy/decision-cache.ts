import type { StatefulAuthorizationCall } from '@cedar-policy/cedar-wasm/nodejs';
import type { ContextUsage } from './context-usage.js';
import type { PolicyDecision } from './types.js';

/**
 * Cedar decisions of one policy set, reused for identical requests. A decision is a pure function
 * of the policy set and the request — principal entity (attributes and tags), action, resource
 * entity, context — and the key holds all of it except the context fields no policy reads (the
 * new task's id, usually the time), so a plan re-requested by the same workload costs no wasm
 * call. Bounded, oldest first out; a reloaded set starts a new cache.
 */
export interface DecisionCache {
  get(call: StatefulAuthorizationCall): { key: string; decision: PolicyDecision | undefined };
  set(key: string, decision: PolicyDecision): void;
}

export function createDecisionCache(usage: ContextUsage, maxEntries = 10_000): DecisionCache {
  const entries = new Map<string, PolicyDecision>();
  const fields = usage === 'all' ? undefined : [...usage].sort();
  const keyOf = (call: StatefulAuthorizationCall): string => {
    const context = call.context as Record<string, unknown>;
    const seen = fields ? fields.map((name) => [name, context[name]]) : context;
    return JSON.stringify([call.principal, call.action, call.resource, call.entities, seen]);
  };
  return {
    get(call) {
      const key = keyOf(call);
      return { key, decision: entries.get(key) };
    },
    set(key, decision) {
      if (maxEntries <= 0) return;
      if (entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      entries.set(key, Object.freeze(decision));
    },
  };
}

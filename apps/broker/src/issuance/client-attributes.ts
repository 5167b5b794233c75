import type { ClientAttributeValue } from '../store/ports.js';

/** At most this many attributes reach a policy or a task record. */
export const MAX_CLIENT_ATTRIBUTES = 32;
/** Longest value, as the policy sees it (a list joined with ","). */
export const MAX_CLIENT_ATTRIBUTE_LENGTH = 256;

/**
 * The identity attributes policies see as principal tags, bounded so every task record stays
 * small. A value that is too long is dropped, never truncated: a cut value could equal one a
 * policy permits, while a missing tag only fails `hasTag`. The same bounded set is used when the
 * task starts and on every later exchange and call, so all see one principal.
 */
export function boundClientAttributes(
  attributes: Readonly<Record<string, ClientAttributeValue>>,
): Record<string, ClientAttributeValue> {
  const kept = Object.entries(attributes).filter(
    ([, value]) => tagLength(value) <= MAX_CLIENT_ATTRIBUTE_LENGTH,
  );
  return Object.fromEntries(kept.slice(0, MAX_CLIENT_ATTRIBUTES));
}

function tagLength(value: ClientAttributeValue): number {
  return Array.isArray(value) ? value.join(',').length : String(value).length;
}

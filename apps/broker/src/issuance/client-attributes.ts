import type { ClientAttributeValue } from '../store/index.js';

/** At most this many attributes reach a policy or a task record. */
export const MAX_CLIENT_ATTRIBUTES = 32;
/** Longest value, as the policy sees it (a list joined with ","). */
export const MAX_CLIENT_ATTRIBUTE_LENGTH = 256;

/**
 * Why identity attributes (the policy's principal tags) are out of bounds, or null. Over-long or
 * too many attributes refuse the identity: dropping one would let a `forbid … when
 * principal.getTag(…)` fail open, and cutting one could make it equal a value a policy permits.
 */
export function clientAttributesProblem(
  attributes: Readonly<Record<string, ClientAttributeValue>>,
): string | null {
  const entries = Object.entries(attributes);
  if (entries.length > MAX_CLIENT_ATTRIBUTES) return 'too_many_attributes';
  if (entries.some(([, value]) => tagLength(value) > MAX_CLIENT_ATTRIBUTE_LENGTH))
    return 'attribute_too_long';
  return null;
}

function tagLength(value: ClientAttributeValue): number {
  return Array.isArray(value) ? value.join(',').length : String(value).length;
}

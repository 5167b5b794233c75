/** `T` with `undefined` removed from every property (optional ones stay optional). */
export type Defined<T> = { [K in keyof T]: Exclude<T[K], undefined> };

/**
 * A copy of `value` without its `undefined` properties. zod's `.optional()` types a missing field
 * as `T | undefined`; with `exactOptionalPropertyTypes` that is not an absent field, so parsed
 * records pass through here on their way to the domain types.
 */
export function definedOnly<T extends object>(value: T): Defined<T> {
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) if (field !== undefined) copy[key] = field;
  return copy as Defined<T>;
}

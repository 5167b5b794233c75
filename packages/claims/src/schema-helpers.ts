import { z } from 'zod';

/** An array of `item` whose elements are pairwise distinct. */
export function uniqueArrayOf<T extends z.ZodType<string>>(item: T, label: string) {
  return z.array(item).refine((values) => new Set(values).size === values.length, {
    message: `${label} must not repeat`,
  });
}

/**
 * Cross-field rules run only on input that passed every field check, so they never reason
 * about (or report noise from) values already known to be wrong.
 */
export const ONLY_WHEN_VALID = {
  when: (payload: { issues: readonly unknown[] }) => payload.issues.length === 0,
};

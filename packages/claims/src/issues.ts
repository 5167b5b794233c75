import type { z } from 'zod';

/**
 * Turns zod issues into readable `path: message` lines (`(root)` for the top level).
 *
 * @example
 * ```ts
 * const r = writClaimsSchema.safeParse(payload);
 * if (!r.success) console.error(formatIssues(r.error).join('; '));
 * ```
 */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.');
    return `${path}: ${issue.message}`;
  });
}

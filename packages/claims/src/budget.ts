import { z } from 'zod';
import { toolNameSchema } from './names.js';

const countSchema = z.int().nonnegative();

/**
 * A task's action budget: `total` actions over all tools and/or a limit `per_tool`.
 * An absent limit means "not limited by this budget".
 *
 * @example
 * ```ts
 * budgetSchema.parse({ total: 10, per_tool: { 'jira.read': 5 } });
 * ```
 */
export const budgetSchema = z.strictObject({
  total: countSchema.optional(),
  per_tool: z.record(toolNameSchema, countSchema).optional(),
});

export type Budget = z.infer<typeof budgetSchema>;

/**
 * Tools that have a `per_tool` limit in `budget` but are not in `tools`.
 *
 * @example
 * ```ts
 * findForeignBudgetTools({ per_tool: { 'db.drop': 1 } }, ['jira.read']); // ['db.drop']
 * ```
 */
export function findForeignBudgetTools(budget: Budget | undefined, tools: readonly string[]): string[] {
  const known = new Set(tools);
  return Object.keys(budget?.per_tool ?? {}).filter((tool) => !known.has(tool));
}

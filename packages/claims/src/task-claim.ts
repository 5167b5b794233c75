import { z } from 'zod';
import { intentSchema } from './authorization-details.js';
import { budgetSchema } from './budget.js';
import { LIMITS } from './constants.js';
import { dataClassSchema, taskIdSchema } from './names.js';
import { ONLY_WHEN_VALID } from './schema-helpers.js';

/**
 * The `task` claim: which task a writ belongs to and where that task sits in its delegation
 * tree. `chain` lists ancestor task ids root first, without `id`; `parent` is its last entry.
 *
 * @example
 * ```ts
 * taskClaimSchema.parse({ id: 'tsk_7Hq2xK9pLm3N', chain: [], intent: 'triage', data_class: 'internal' });
 * ```
 */
export const taskClaimSchema = z
  .strictObject({
    id: taskIdSchema,
    parent: taskIdSchema.optional(),
    chain: z.array(taskIdSchema).max(LIMITS.maxChainDepth),
    intent: intentSchema,
    data_class: dataClassSchema,
    budget: budgetSchema.optional(),
  })
  .superRefine((task, ctx) => {
    const last = task.chain.at(-1);
    if (last === undefined && task.parent !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['parent'], message: 'a root task (empty chain) has no parent' });
    }
    if (last !== undefined && task.parent !== last) {
      ctx.addIssue({ code: 'custom', path: ['parent'], message: 'parent must be the last entry of chain' });
    }
    // A task can be its own ancestor only through a forged or corrupted chain.
    if (new Set([...task.chain, task.id]).size !== task.chain.length + 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['chain'],
        message: 'chain must not repeat a task id or contain id',
      });
    }
  }, ONLY_WHEN_VALID);

export type TaskClaim = z.infer<typeof taskClaimSchema>;

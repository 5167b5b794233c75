import { z } from 'zod';
import { budgetSchema, findForeignBudgetTools } from './budget.js';
import { AUTHORIZATION_DETAILS_TYPE, LIMITS } from './constants.js';
import { dataClassSchema, resourceIdSchema, toolNameSchema } from './names.js';
import { ONLY_WHEN_VALID, uniqueArrayOf } from './schema-helpers.js';

/**
 * Task intent: free text for audit and policy, 1–200 characters, no control or format characters
 * (a bidi override or zero-width character would make the audit trail read otherwise than it is).
 *
 * @example
 * ```ts
 * intentSchema.parse('triage incoming tickets');
 * ```
 */
export const intentSchema = z
  .string()
  .min(1)
  .max(LIMITS.maxIntentLength)
  .regex(/^[^\p{Cc}\p{Cf}]*$/u, 'intent must not contain control or format characters');

/**
 * The RFC 9396 `authorization_details` entry as it appears in a writ: the explicit tools,
 * resources and data classes of the task's plan.
 *
 * @example
 * ```ts
 * agentTaskDetailSchema.parse({ type: 'agent_task', tools: ['jira.read'], resources: [], data_classes: ['internal'] });
 * ```
 */
export const agentTaskDetailSchema = z.strictObject({
  type: z.literal(AUTHORIZATION_DETAILS_TYPE),
  tools: uniqueArrayOf(toolNameSchema, 'tools').min(1).max(LIMITS.maxTools),
  resources: uniqueArrayOf(resourceIdSchema, 'resources').max(LIMITS.maxResources),
  data_classes: uniqueArrayOf(dataClassSchema, 'data_classes').min(1),
});

export type AgentTaskDetail = z.infer<typeof agentTaskDetailSchema>;

/**
 * The RFC 9396 `authorization_details` entry a client sends in a token request: the task's
 * requested plan. The broker fills in what is absent from policy defaults.
 *
 * @example
 * ```ts
 * agentTaskRequestDetailSchema.safeParse(JSON.parse(form.authorization_details)[0]);
 * ```
 */
export const agentTaskRequestDetailSchema = z
  .strictObject({
    type: z.literal(AUTHORIZATION_DETAILS_TYPE),
    tools: z.array(toolNameSchema).min(1).max(LIMITS.maxTools),
    // Refused here, as a client error, rather than when the writ's own schema refuses to sign it.
    resources: uniqueArrayOf(resourceIdSchema, 'resources').max(LIMITS.maxResources).optional(),
    data_classes: uniqueArrayOf(dataClassSchema, 'data_classes').min(1).optional(),
    intent: intentSchema.optional(),
    budget: budgetSchema.optional(),
    ttl: z.int().min(1).max(LIMITS.maxTtlSeconds).optional(),
  })
  .superRefine((detail, ctx) => {
    for (const tool of findForeignBudgetTools(detail.budget, detail.tools)) {
      ctx.addIssue({
        code: 'custom',
        path: ['budget', 'per_tool', tool],
        message: 'budget names a tool that is not requested',
      });
    }
  }, ONLY_WHEN_VALID);

export type AgentTaskRequestDetail = z.infer<typeof agentTaskRequestDetailSchema>;

import { type DataClass, dataClassAtMost, highestDataClass } from './constants.js';
import { type Plan, planFromClaims } from './plan.js';
import type { WritClaims } from './writ-claims.js';

/**
 * One action a writ holder wants to take. `data_class`, when stated, is the most sensitive class of
 * data the action touches; an action that does not say is judged on its tool and resource alone.
 */
export type Action = { tool: string; resource?: string; data_class?: DataClass };

export type PermitsResult = { permitted: boolean; reasons: string[] };

/**
 * Decides whether `plan` covers `action`, ignoring budgets (they need a counter). Data classes are
 * ordered: a plan that may touch `internal` data may touch `public` data, so a stated class is
 * within the plan when it is at most the plan's highest. Reasons: `tool_not_in_plan`,
 * `resource_not_in_plan`, `data_class_not_in_plan`.
 *
 * @example
 * ```ts
 * permitsPlan(planFromClaims(claims), { tool: 'jira.read' }); // { permitted: true, reasons: [] }
 * ```
 */
export function permitsPlan(plan: Plan, action: Action): PermitsResult {
  const reasons: string[] = [];
  if (!plan.tools.includes(action.tool)) reasons.push('tool_not_in_plan');
  if (action.resource !== undefined && !plan.resources.includes(action.resource)) {
    reasons.push('resource_not_in_plan');
  }
  if (action.data_class !== undefined) {
    const highest = highestDataClass(plan.data_classes);
    if (highest === undefined || !dataClassAtMost(action.data_class, highest)) {
      reasons.push('data_class_not_in_plan');
    }
  }
  return { permitted: reasons.length === 0, reasons };
}

/**
 * Decides offline whether a writ covers `action`: the tool and the resource (when named) must be
 * in the writ's plan, and the data class (when stated) at most the plan's highest and no higher
 * than `task.data_class` (reason `data_class_exceeds_task`). Budgets are not counted here.
 *
 * @example
 * ```ts
 * permits(claims, { tool: 'jira.read', resource: 'jira:project/OPS', data_class: 'internal' });
 * // { permitted: true, reasons: [] }
 * ```
 */
export function permits(claims: WritClaims, action: Action): PermitsResult {
  const { reasons } = permitsPlan(planFromClaims(claims), action);
  if (action.data_class !== undefined && !dataClassAtMost(action.data_class, claims.task.data_class)) {
    reasons.push('data_class_exceeds_task');
  }
  return { permitted: reasons.length === 0, reasons };
}

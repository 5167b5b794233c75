import { type DataClass, dataClassAtMost } from './constants.js';
import { type Plan, planFromClaims } from './plan.js';
import type { WritClaims } from './writ-claims.js';

/** One action a writ holder wants to take. An absent `data_class` means `public`. */
export type Action = { tool: string; resource?: string; data_class?: DataClass };

export type PermitsResult = { permitted: boolean; reasons: string[] };

/**
 * Decides whether `plan` covers `action`, ignoring budgets (they need a counter). Reasons:
 * `tool_not_in_plan`, `resource_not_in_plan`, `data_class_not_in_plan`.
 */
export function permitsPlan(plan: Plan, action: Action): PermitsResult {
  const reasons: string[] = [];
  if (!plan.tools.includes(action.tool)) reasons.push('tool_not_in_plan');
  if (action.resource !== undefined && !plan.resources.includes(action.resource)) {
    reasons.push('resource_not_in_plan');
  }
  if (!plan.data_classes.includes(action.data_class ?? 'public')) reasons.push('data_class_not_in_plan');
  return { permitted: reasons.length === 0, reasons };
}

/**
 * Decides offline whether a writ covers `action`: the tool, the resource (when named) and the
 * data class must be in the writ's plan, and the data class no higher than `task.data_class`
 * (reason `data_class_exceeds_task`). Budgets are not counted here.
 *
 * @example
 * ```ts
 * permits(claims, { tool: 'jira.read', resource: 'jira:project/OPS', data_class: 'internal' });
 * // { permitted: true, reasons: [] }
 * ```
 */
export function permits(claims: WritClaims, action: Action): PermitsResult {
  const { reasons } = permitsPlan(planFromClaims(claims), action);
  if (!dataClassAtMost(action.data_class ?? 'public', claims.task.data_class)) {
    reasons.push('data_class_exceeds_task');
  }
  return { permitted: reasons.length === 0, reasons };
}

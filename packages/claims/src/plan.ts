import type { Budget } from './budget.js';
import type { DataClass } from './constants.js';
import type { WritClaims } from './writ-claims.js';

/**
 * What a task may do: explicit tools, resources and data classes, an optional budget and a
 * lifetime (`ttl`, seconds). Delegation and re-issuance compare plans with `checkWithin`.
 */
export type Plan = {
  tools: string[];
  resources: string[];
  data_classes: DataClass[];
  budget?: Budget;
  ttl: number;
};

/**
 * The plan a writ carries: its `authorization_details[0]`, `task.budget` and `exp - iat`.
 *
 * @example
 * ```ts
 * const parent = planFromClaims(parentWrit);
 * if (!isWithin(requested, parent)) throw new InvalidScopeError();
 * ```
 */
export function planFromClaims(claims: WritClaims): Plan {
  const detail = claims.authorization_details[0];
  const plan: Plan = {
    tools: [...detail.tools],
    resources: [...detail.resources],
    data_classes: [...detail.data_classes],
    ttl: claims.exp - claims.iat,
  };
  if (claims.task.budget !== undefined) plan.budget = structuredClone(claims.task.budget);
  return plan;
}

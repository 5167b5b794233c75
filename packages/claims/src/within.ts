import type { Plan } from './plan.js';

export type CheckWithinResult = { ok: true } | { ok: false; violations: string[] };

function collectMissing(kind: string, child: readonly string[], parent: readonly string[]): string[] {
  const allowed = new Set(parent);
  return [...new Set(child)]
    .filter((item) => !allowed.has(item))
    .map((item) => `${kind}_not_in_parent:${item}`);
}

function collectBudgetViolations(child: Plan, parent: Plan): string[] {
  const violations: string[] = [];
  const parentTotal = parent.budget?.total;
  const childTotal = child.budget?.total;
  if (parentTotal !== undefined) {
    // No limit is wider than any limit.
    if (childTotal === undefined) violations.push('budget_total_missing');
    else if (childTotal > parentTotal) violations.push('budget_total_exceeds_parent');
  }
  const parentPerTool = parent.budget?.per_tool ?? {};
  const childPerTool = child.budget?.per_tool ?? {};
  for (const tool of new Set(child.tools)) {
    if (!Object.hasOwn(parentPerTool, tool)) continue;
    const limit = parentPerTool[tool];
    if (limit === undefined) continue;
    const childLimit = Object.hasOwn(childPerTool, tool) ? childPerTool[tool] : undefined;
    if (childLimit === undefined) violations.push(`budget_per_tool_missing:${tool}`);
    else if (childLimit > limit) violations.push(`budget_per_tool_exceeds_parent:${tool}`);
  }
  return violations;
}

/**
 * Checks that `child` asks for nothing `parent` lacks: tools, resources and data classes are
 * subsets, the lifetime is no longer, and every budget limit of the parent is kept or
 * tightened (a child may add limits the parent lacks). Violations are machine-friendly:
 * `tool_not_in_parent:<tool>`, `resource_not_in_parent:<id>`, `data_class_not_in_parent:<dc>`,
 * `ttl_exceeds_parent`, `budget_total_missing`, `budget_total_exceeds_parent`,
 * `budget_per_tool_missing:<tool>`, `budget_per_tool_exceeds_parent:<tool>`.
 *
 * @example
 * ```ts
 * checkWithin({ ...parent, tools: ['jira.write'] }, parent);
 * // { ok: false, violations: ['tool_not_in_parent:jira.write'] }
 * ```
 */
export function checkWithin(child: Plan, parent: Plan): CheckWithinResult {
  const violations = [
    ...collectMissing('tool', child.tools, parent.tools),
    ...collectMissing('resource', child.resources, parent.resources),
    ...collectMissing('data_class', child.data_classes, parent.data_classes),
    ...(child.ttl > parent.ttl ? ['ttl_exceeds_parent'] : []),
    ...collectBudgetViolations(child, parent),
  ];
  return violations.length === 0 ? { ok: true } : { ok: false, violations };
}

/**
 * True when `checkWithin(child, parent)` finds no violation.
 *
 * @example
 * ```ts
 * isWithin(planFromClaims(child), planFromClaims(parent)); // true when narrower in every dimension
 * ```
 */
export function isWithin(child: Plan, parent: Plan): boolean {
  return checkWithin(child, parent).ok;
}

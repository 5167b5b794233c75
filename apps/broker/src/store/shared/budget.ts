import { type Budget, budgetSchema } from '@writ/claims';
import type { BudgetLeft, TaskUsage } from '../port/index.js';
import { InvalidStoreInputError, StoreUnavailableError } from './errors.js';
import { jsonText } from './records.js';

const MAX_TOOL_LENGTH = 256;

/** One task of the chain an action is charged to: its budget and what it has used so far. */
export interface ChargedTask {
  id: string;
  budget?: Budget;
  usedTotal: number;
  usedTool: number;
}

export interface BudgetDecision {
  /** `budget_exhausted:total:<task>` / `budget_exhausted:tool:<tool>:<task>`, in chain order. */
  exhausted: string[];
  /** What would be left after this call (allowed) or is left now (denied). */
  left: BudgetLeft;
}

/**
 * Decides an action against every budget on the chain (task first, then its ancestors nearest
 * first): a delegated child's spending counts against its parents too. redis/lua/authorize-action.lua
 * applies the same rules.
 */
export function decideBudget(tasks: ChargedTask[], tool: string): BudgetDecision {
  const exhausted: string[] = [];
  const remaining: { total: number[]; tool: number[] } = { total: [], tool: [] };
  for (const task of tasks) {
    const totalLimit = task.budget?.total;
    if (totalLimit !== undefined) {
      if (task.usedTotal >= totalLimit) exhausted.push(`budget_exhausted:total:${task.id}`);
      remaining.total.push(totalLimit - task.usedTotal);
    }
    const perTool = task.budget?.per_tool;
    const toolLimit = perTool !== undefined && Object.hasOwn(perTool, tool) ? perTool[tool] : undefined;
    if (toolLimit !== undefined) {
      if (task.usedTool >= toolLimit) exhausted.push(`budget_exhausted:tool:${tool}:${task.id}`);
      remaining.tool.push(toolLimit - task.usedTool);
    }
  }
  const taken = exhausted.length === 0 ? 1 : 0;
  const least = (values: number[]) => Math.max(0, Math.min(...values) - taken);
  return {
    exhausted,
    left: {
      ...(remaining.total.length === 0 ? {} : { total: least(remaining.total) }),
      ...(remaining.tool.length === 0 ? {} : { tool: least(remaining.tool) }),
    },
  };
}

export function decodeBudget(text: string | undefined): Budget | undefined {
  if (text === undefined) return undefined;
  const parsed = jsonText.pipe(budgetSchema).safeParse(text);
  if (!parsed.success) throw new StoreUnavailableError('a stored task budget is malformed');
  return parsed.data;
}

export function checkTool(tool: string): void {
  if (typeof tool !== 'string' || tool.length === 0 || tool.length > MAX_TOOL_LENGTH) {
    throw new InvalidStoreInputError(`tool must be 1-${MAX_TOOL_LENGTH} characters`);
  }
}

/** The usage hash (`total`, `tool:<name>`) as a TaskUsage. */
export function toTaskUsage(counts: Record<string, number>): TaskUsage {
  const perTool = Object.entries(counts)
    .filter(([field]) => field.startsWith('tool:'))
    .map(([field, value]) => [field.slice('tool:'.length), value] as const);
  return { total: counts.total ?? 0, per_tool: Object.fromEntries(perTool) };
}

import { type Budget, checkWithin, type Plan, type WritClaims } from '@writ/claims';
import { invalidScope } from '../errors.js';
import type { TaskRecord } from '../store/index.js';
import { type DenyFacts, denyEvent, principalOfTask } from './exchange-steps.js';
import type { IssuanceDeps } from './issuance-deps.js';
import type { RequestedPlan } from './requested-plan.js';
import type { TokenExchangeRequest } from './token-request.js';

/** The task's plan as the broker recorded it, with the lifetime it has left. */
export function planOfTask(
  task: TaskRecord,
  nowSeconds: number,
  capSeconds = Number.POSITIVE_INFINITY,
): Plan {
  return {
    tools: task.tools,
    resources: task.resources,
    data_classes: task.data_classes,
    ...(task.budget ? { budget: task.budget } : {}),
    ttl: Math.max(0, Math.min(task.expires_at - nowSeconds, capSeconds)),
  };
}

/** What a writ itself holds (it may be narrower than its task), within the lifetime `bound` allows. */
export function planOfWrit(claims: WritClaims, bound: Plan): Plan {
  const [detail] = claims.authorization_details;
  return { ...bound, tools: detail.tools, resources: detail.resources, data_classes: detail.data_classes };
}

export function sameBudget(a: Budget | undefined, b: Budget | undefined): boolean {
  return JSON.stringify(a ?? {}) === JSON.stringify(b ?? {});
}

/** The requested plan, each missing field inherited from `base`. */
export function completePlan(requested: RequestedPlan, base: Plan): Plan {
  const budget = requested.budget ?? base.budget;
  return {
    tools: requested.tools ?? base.tools,
    resources: requested.resources ?? base.resources,
    data_classes: requested.data_classes ?? base.data_classes,
    ...(budget ? { budget } : {}),
    ttl: requested.ttl ?? base.ttl,
  };
}

/**
 * Scope lock (docs/architecture.md §5): a plan wider than its bound is refused and audited, and when policy
 * says so (`quarantine_on_violation`) the offending task is quarantined at once.
 */
export async function enforceWithin(
  deps: IssuanceDeps,
  req: TokenExchangeRequest,
  check: { plan: Plan; bound: Plan; task: TaskRecord; facts: DenyFacts },
  extraViolations: string[] = [],
): Promise<void> {
  const { plan: child, bound, task, facts } = check;
  const result = checkWithin(child, bound);
  const violations = [...extraViolations, ...(result.ok ? [] : result.violations)];
  if (violations.length === 0) return;
  await deps.audit.deny(denyEvent(deps, req, 'exchange.scope_violation', violations, facts));
  const quarantine = deps.policy.evaluate({
    action: 'quarantine_on_violation',
    principal: principalOfTask(task),
    resource: { tool: child.tools[0] ?? bound.tools[0] ?? 'none' },
    context: {
      audience: '',
      intent: task.intent,
      dataClass: task.data_class,
      ttlSeconds: child.ttl,
      delegationDepth: task.chain.length,
      taskId: task.id,
      time: deps.clock.nowSeconds(),
    },
  });
  const refusal = `the request exceeds the task's plan (${violations.join(', ')})`;
  if (quarantine.allowed) {
    const event = { ...denyEvent(deps, req, 'task.quarantined', violations, facts) };
    const done = await deps.store.quarantineTask(task.id, event);
    if (done) {
      deps.audit.log(event);
      // The agent must learn that this refusal ended its task, not only that it was refused.
      throw invalidScope(
        `${refusal}; the task was quarantined and every writ of it is dead`,
        'task_quarantined',
      );
    }
  }
  throw invalidScope(refusal);
}

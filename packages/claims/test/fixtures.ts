// Test-only builders and fast-check arbitraries; not exported from index.ts.
import fc from 'fast-check';
import type { Budget } from '../src/budget.js';
import { DATA_CLASSES, type DataClass, highestDataClass } from '../src/constants.js';
import { formatScope } from '../src/names.js';
import type { Plan } from '../src/plan.js';
import type { WritClaims } from '../src/writ-claims.js';

export const NOW = 1_767_225_600;

/** A valid root writ; `overrides` replace whole top-level claims. */
export function makeClaims(overrides: Partial<WritClaims> = {}): WritClaims {
  return {
    iss: 'https://writ.example.com',
    sub: 'spiffe://example.org/ns/prod/sa/orchestrator',
    client_id: 'spiffe://example.org/ns/prod/sa/orchestrator',
    aud: 'https://jira-tools.example.com',
    iat: NOW,
    nbf: NOW,
    exp: NOW + 600,
    jti: 'q3N2v8Jx0cR7tL1mW5yZ9a',
    gen: 1,
    scope: 'tool:jira.read tool:jira.comment',
    authorization_details: [
      {
        type: 'agent_task',
        tools: ['jira.read', 'jira.comment'],
        resources: ['jira:project/OPS'],
        data_classes: ['public', 'internal'],
      },
    ],
    task: {
      id: 'tsk_7Hq2xK9pLm3N',
      chain: [],
      intent: 'Triage new OPS tickets',
      data_class: 'internal',
      budget: { total: 50, per_tool: { 'jira.comment': 10 } },
    },
    ...overrides,
  };
}

/** A valid writ carrying exactly `plan`. */
export function makeClaimsFromPlan(plan: Plan): WritClaims {
  const base = makeClaims();
  return {
    ...base,
    exp: base.iat + plan.ttl,
    scope: formatScope(plan.tools),
    authorization_details: [
      { type: 'agent_task', tools: plan.tools, resources: plan.resources, data_classes: plan.data_classes },
    ],
    task: {
      id: base.task.id,
      chain: [],
      intent: base.task.intent,
      data_class: highestDataClass(plan.data_classes) ?? 'public',
      ...(plan.budget === undefined ? {} : { budget: plan.budget }),
    },
  };
}

/** Deep copy of plain JSON data, so a test can mutate a fixture freely. */
export function clone<T>(value: T): T {
  return structuredClone(value);
}

// Small pools make overlaps between independently generated plans likely.
const TOOL_POOL = ['jira.read', 'jira.write', 'jira.comment', 'slack.post', 'gh.pr.read', 'db.query'];
const RESOURCE_POOL = ['jira:project/OPS', 'jira:project/SEC', 'slack:#ops', 'repo:writ/main', 'db:orders'];

export const toolNameArb = fc.oneof(
  fc.constantFrom(...TOOL_POOL),
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,30}$/),
);
export const resourceIdArb = fc.oneof(
  fc.constantFrom(...RESOURCE_POOL),
  fc.stringMatching(/^[A-Za-z0-9:/#._-]{1,40}$/),
);
export const dataClassArb = fc.constantFrom(...DATA_CLASSES);

function budgetArb(tools: string[]): fc.Arbitrary<Budget | undefined> {
  return fc.option(
    fc
      .record({
        total: fc.option(fc.nat(1000), { nil: undefined }),
        per_tool: fc.option(
          fc
            .subarray(tools)
            .chain((limited) =>
              fc.tuple(...limited.map(() => fc.nat(100))).map((limits) => ({ limited, limits })),
            ),
          { nil: undefined },
        ),
      })
      .map(({ total, per_tool }) => {
        const budget: Budget = {};
        if (total !== undefined) budget.total = total;
        if (per_tool !== undefined) {
          budget.per_tool = Object.fromEntries(
            per_tool.limited.map((tool, i) => [tool, per_tool.limits[i] ?? 0]),
          );
        }
        return budget;
      }),
    { nil: undefined },
  );
}

function withBudget(plan: Omit<Plan, 'budget'>, budget: Budget | undefined): Plan {
  return budget === undefined ? plan : { ...plan, budget };
}

export const planArb: fc.Arbitrary<Plan> = fc
  .record({
    tools: fc.uniqueArray(toolNameArb, { minLength: 1, maxLength: 6 }),
    resources: fc.uniqueArray(resourceIdArb, { maxLength: 5 }),
    data_classes: fc.subarray([...DATA_CLASSES], { minLength: 1 }),
    ttl: fc.integer({ min: 1, max: 86_400 }),
  })
  .chain((plan) => budgetArb(plan.tools).map((budget) => withBudget(plan, budget)));

function narrowBudgetArb(parent: Plan, tools: string[]): fc.Arbitrary<Budget | undefined> {
  const parentTotal = parent.budget?.total;
  const parentPerTool = parent.budget?.per_tool ?? {};
  const totalArb =
    parentTotal === undefined
      ? fc.option(fc.nat(1000), { nil: undefined })
      : fc.integer({ min: 0, max: parentTotal });
  const perToolArb = fc.tuple(
    ...tools.map((tool) => {
      const limit = parentPerTool[tool];
      return limit === undefined
        ? fc.option(fc.nat(100), { nil: undefined })
        : fc.integer({ min: 0, max: limit });
    }),
  );
  return fc.record({ total: totalArb, limits: perToolArb }).map(({ total, limits }) => {
    const budget: Budget = {};
    if (total !== undefined) budget.total = total;
    const entries = tools.flatMap((tool, i) => (limits[i] === undefined ? [] : [[tool, limits[i]] as const]));
    if (entries.length > 0) budget.per_tool = Object.fromEntries(entries);
    return Object.keys(budget).length === 0 ? undefined : budget;
  });
}

/** A plan asking for no more than `parent`: subsets, shorter or equal ttl, tighter budgets. */
export function narrowPlanArb(parent: Plan): fc.Arbitrary<Plan> {
  return fc
    .record({
      tools: fc.subarray(parent.tools, { minLength: 1 }),
      resources: fc.subarray(parent.resources),
      data_classes: fc.subarray(parent.data_classes, { minLength: 1 }),
      ttl: fc.integer({ min: 1, max: parent.ttl }),
    })
    .chain((plan) => narrowBudgetArb(parent, plan.tools).map((budget) => withBudget(plan, budget)));
}

export type Widening = { child: Plan; violation: string };

/** A narrowed child of `parent` with exactly one widening mutation, and the violation it causes. */
export function widenPlanArb(parent: Plan): fc.Arbitrary<Widening> {
  const missingClasses = DATA_CLASSES.filter((dc) => !parent.data_classes.includes(dc));
  const limitedTools = Object.keys(parent.budget?.per_tool ?? {});
  const mutations: fc.Arbitrary<(child: Plan) => Widening>[] = [
    toolNameArb
      .filter((tool) => !parent.tools.includes(tool))
      .map((tool) => (child) => ({
        child: { ...child, tools: [...child.tools, tool] },
        violation: `tool_not_in_parent:${tool}`,
      })),
    resourceIdArb
      .filter((id) => !parent.resources.includes(id))
      .map((id) => (child) => ({
        child: { ...child, resources: [...child.resources, id] },
        violation: `resource_not_in_parent:${id}`,
      })),
    fc.integer({ min: 1, max: 86_400 }).map((extra) => (child) => ({
      child: { ...child, ttl: parent.ttl + extra },
      violation: 'ttl_exceeds_parent',
    })),
  ];
  if (missingClasses.length > 0) {
    mutations.push(
      fc.constantFrom(...missingClasses).map((dc: DataClass) => (child) => ({
        child: { ...child, data_classes: [...child.data_classes, dc] },
        violation: `data_class_not_in_parent:${dc}`,
      })),
    );
  }
  const parentTotal = parent.budget?.total;
  if (parentTotal !== undefined) {
    mutations.push(
      fc.integer({ min: 1, max: 1000 }).map((extra) => (child) => ({
        child: { ...child, budget: { ...child.budget, total: parentTotal + extra } },
        violation: 'budget_total_exceeds_parent',
      })),
      fc.constant((child: Plan) => {
        const { total: _dropped, ...rest } = child.budget ?? {};
        return { child: { ...child, budget: rest }, violation: 'budget_total_missing' };
      }),
    );
  }
  if (limitedTools.length > 0) {
    mutations.push(
      fc
        .tuple(fc.constantFrom(...limitedTools), fc.boolean(), fc.integer({ min: 1, max: 100 }))
        .map(([tool, drop, extra]) => (child) => {
          const tools = child.tools.includes(tool) ? child.tools : [...child.tools, tool];
          const perTool = { ...child.budget?.per_tool };
          if (drop) delete perTool[tool];
          else perTool[tool] = (parent.budget?.per_tool?.[tool] ?? 0) + extra;
          return {
            child: { ...child, tools, budget: { ...child.budget, per_tool: perTool } },
            violation: `budget_per_tool_${drop ? 'missing' : 'exceeds_parent'}:${tool}`,
          };
        }),
    );
  }
  return fc.tuple(narrowPlanArb(parent), fc.oneof(...mutations)).map(([child, mutate]) => mutate(child));
}

/** An action drawn from the pools and from `plan`, sometimes without resource or data class. */
export function actionArb(plan: Plan) {
  return fc.record(
    {
      tool: fc.oneof(fc.constantFrom(...plan.tools), toolNameArb),
      resource: fc.oneof(
        ...(plan.resources.length > 0 ? [fc.constantFrom(...plan.resources)] : []),
        resourceIdArb,
      ),
      data_class: dataClassArb,
    },
    { requiredKeys: ['tool'] },
  );
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { actionArb, makeClaims, makeClaimsFromPlan, narrowPlanArb, planArb } from '../test/fixtures.js';
import { parseWritClaims, permits, permitsPlan, planFromClaims } from './index.js';

describe('planFromClaims', () => {
  it('reads the plan, budget and lifetime of a writ', () => {
    expect(planFromClaims(makeClaims())).toEqual({
      tools: ['jira.read', 'jira.comment'],
      resources: ['jira:project/OPS'],
      data_classes: ['public', 'internal'],
      budget: { total: 50, per_tool: { 'jira.comment': 10 } },
      ttl: 600,
    });
  });

  it('omits an absent budget and copies rather than aliases', () => {
    const claims = makeClaims({ task: { ...makeClaims().task, budget: undefined } });
    const plan = planFromClaims(claims);
    expect(plan).not.toHaveProperty('budget');
    plan.tools.push('jira.write');
    expect(claims.authorization_details[0].tools).toEqual(['jira.read', 'jira.comment']);
  });
});

describe('permits', () => {
  const claims = makeClaims();

  it('permits a tool, resource and data class in the plan', () => {
    expect(
      permits(claims, { tool: 'jira.read', resource: 'jira:project/OPS', data_class: 'internal' }),
    ).toEqual({
      permitted: true,
      reasons: [],
    });
    expect(permits(claims, { tool: 'jira.comment' })).toEqual({ permitted: true, reasons: [] });
  });

  it('refuses a tool outside the plan', () => {
    expect(permits(claims, { tool: 'jira.write' })).toEqual({
      permitted: false,
      reasons: ['tool_not_in_plan'],
    });
  });

  it('refuses a resource outside the plan', () => {
    expect(permits(claims, { tool: 'jira.read', resource: 'jira:project/HR' })).toEqual({
      permitted: false,
      reasons: ['resource_not_in_plan'],
    });
  });

  it('refuses a data class outside the plan or above the task', () => {
    expect(permits(claims, { tool: 'jira.read', data_class: 'confidential' })).toEqual({
      permitted: false,
      reasons: ['data_class_not_in_plan', 'data_class_exceeds_task'],
    });
  });

  it('judges an action that states no data class on its tool and resource alone', () => {
    const internalOnly = makeClaims({
      authorization_details: [{ ...claims.authorization_details[0], data_classes: ['internal'] }],
    });
    expect(permits(internalOnly, { tool: 'jira.read' })).toEqual({ permitted: true, reasons: [] });
  });

  it('orders data classes: a plan up to internal covers public, not confidential', () => {
    const internalOnly = makeClaims({
      authorization_details: [{ ...claims.authorization_details[0], data_classes: ['internal'] }],
    });
    expect(permits(internalOnly, { tool: 'jira.read', data_class: 'public' })).toEqual({
      permitted: true,
      reasons: [],
    });
    expect(permits(internalOnly, { tool: 'jira.read', data_class: 'confidential' })).toEqual({
      permitted: false,
      reasons: ['data_class_not_in_plan', 'data_class_exceeds_task'],
    });
  });

  it('re-checks task.data_class on claims that skipped validation', () => {
    const forged = makeClaims({
      authorization_details: [{ ...claims.authorization_details[0], data_classes: ['restricted'] }],
    });
    expect(permits(forged, { tool: 'jira.read', data_class: 'restricted' })).toEqual({
      permitted: false,
      reasons: ['data_class_exceeds_task'],
    });
  });

  it('lists every reason at once', () => {
    expect(permits(claims, { tool: 'x', resource: 'y', data_class: 'restricted' }).reasons).toEqual([
      'tool_not_in_plan',
      'resource_not_in_plan',
      'data_class_not_in_plan',
      'data_class_exceeds_task',
    ]);
  });
});

describe('permits properties', () => {
  it('is monotone: what a narrower writ permits, the wider writ permits', () => {
    const caseArb = planArb.chain((wide) =>
      narrowPlanArb(wide).chain((narrow) =>
        actionArb(narrow).map((action) => [wide, narrow, action] as const),
      ),
    );
    fc.assert(
      fc.property(caseArb, ([wide, narrow, action]) => {
        const wideClaims = makeClaimsFromPlan(wide);
        const narrowClaims = makeClaimsFromPlan(narrow);
        expect(parseWritClaims(wideClaims)).toMatchObject({ ok: true });
        expect(parseWritClaims(narrowClaims)).toMatchObject({ ok: true });
        if (permits(narrowClaims, action).permitted)
          expect(permits(wideClaims, action)).toMatchObject({ permitted: true });
      }),
      { numRuns: 1000 },
    );
  });

  it('decides like permitsPlan on valid writs (task.data_class adds no denial)', () => {
    fc.assert(
      fc.property(
        planArb.chain((plan) => actionArb(plan).map((action) => [plan, action] as const)),
        ([plan, action]) => {
          expect(permits(makeClaimsFromPlan(plan), action).permitted).toBe(
            permitsPlan(plan, action).permitted,
          );
        },
      ),
      { numRuns: 1000 },
    );
  });
});

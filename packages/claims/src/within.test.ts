import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { narrowPlanArb, planArb, widenPlanArb } from '../test/fixtures.js';
import { checkWithin, isWithin, type Plan } from './index.js';

const RUNS = { numRuns: 1000 };

const parent: Plan = {
  tools: ['jira.read', 'jira.comment'],
  resources: ['jira:project/OPS', 'jira:project/SEC'],
  data_classes: ['public', 'internal'],
  budget: { total: 20, per_tool: { 'jira.comment': 5 } },
  ttl: 900,
};

describe('checkWithin', () => {
  it('accepts an identical or narrower plan', () => {
    expect(checkWithin(parent, parent)).toEqual({ ok: true });
    expect(
      checkWithin(
        {
          tools: ['jira.comment'],
          resources: [],
          data_classes: ['internal'],
          budget: { total: 3, per_tool: { 'jira.comment': 1 } },
          ttl: 60,
        },
        parent,
      ),
    ).toEqual({ ok: true });
  });

  it('lets a child add limits its parent lacks', () => {
    const { budget: _budget, ...open }: Plan = parent;
    expect(checkWithin({ ...parent, budget: { total: 1, per_tool: { 'jira.read': 1 } } }, open)).toEqual({
      ok: true,
    });
  });

  it('ignores a per-tool limit for a tool the child does not ask for', () => {
    expect(checkWithin({ ...parent, tools: ['jira.read'], budget: { total: 20 } }, parent)).toEqual({
      ok: true,
    });
  });

  it('names each widening', () => {
    expect(
      checkWithin(
        {
          tools: ['jira.read', 'jira.write', 'jira.comment'],
          resources: ['jira:project/OPS', 'jira:project/HR'],
          data_classes: ['internal', 'confidential'],
          budget: { total: 21, per_tool: { 'jira.comment': 6 } },
          ttl: 901,
        },
        parent,
      ),
    ).toEqual({
      ok: false,
      violations: [
        'tool_not_in_parent:jira.write',
        'resource_not_in_parent:jira:project/HR',
        'data_class_not_in_parent:confidential',
        'ttl_exceeds_parent',
        'budget_total_exceeds_parent',
        'budget_per_tool_exceeds_parent:jira.comment',
      ],
    });
  });

  it('treats a missing limit as wider than any limit', () => {
    const { budget: _none, ...unlimited } = parent;
    expect(checkWithin(unlimited, parent)).toEqual({
      ok: false,
      violations: ['budget_total_missing', 'budget_per_tool_missing:jira.comment'],
    });
  });

  it('refuses any resource when the parent has none', () => {
    expect(checkWithin({ ...parent, resources: ['x'] }, { ...parent, resources: [] })).toEqual({
      ok: false,
      violations: ['resource_not_in_parent:x'],
    });
  });

  it('reports a repeated widening once', () => {
    expect(checkWithin({ ...parent, tools: ['x', 'x'] }, parent)).toEqual({
      ok: false,
      violations: ['tool_not_in_parent:x'],
    });
  });

  it('is not fooled by inherited object keys', () => {
    const child: Plan = { ...parent, tools: ['constructor'], budget: { total: 1 } };
    expect(checkWithin(child, { ...parent, tools: ['constructor'] })).toEqual({ ok: true });
  });
});

describe('isWithin properties', () => {
  it('is reflexive', () => {
    fc.assert(
      fc.property(planArb, (plan) => isWithin(plan, plan)),
      RUNS,
    );
  });

  it('accepts every narrowing', () => {
    fc.assert(
      fc.property(
        planArb.chain((p) => fc.tuple(fc.constant(p), narrowPlanArb(p))),
        ([p, child]) => {
          expect(checkWithin(child, p)).toEqual({ ok: true });
        },
      ),
      RUNS,
    );
  });

  it('refuses every widening with the matching violation', () => {
    fc.assert(
      fc.property(
        planArb.chain((p) => fc.tuple(fc.constant(p), widenPlanArb(p))),
        ([p, { child, violation }]) => {
          expect(checkWithin(child, p)).toEqual({ ok: false, violations: [violation] });
        },
      ),
      RUNS,
    );
  });

  it('is transitive along narrowing chains', () => {
    const chainArb = planArb.chain((a) =>
      narrowPlanArb(a).chain((b) => narrowPlanArb(b).map((c) => [a, b, c] as const)),
    );
    fc.assert(
      fc.property(chainArb, ([a, b, c]) => {
        expect([isWithin(b, a), isWithin(c, b)]).toEqual([true, true]);
        expect(isWithin(c, a)).toBe(true);
      }),
      RUNS,
    );
  });

  it('is transitive for independent plans', () => {
    fc.assert(
      fc.property(planArb, planArb, planArb, (a, b, c) => {
        if (isWithin(a, b) && isWithin(b, c)) expect(isWithin(a, c)).toBe(true);
      }),
      RUNS,
    );
  });

  it('never lets an accepted child hold anything its parent lacks', () => {
    const pairArb = fc.oneof(
      fc.tuple(planArb, planArb),
      planArb.chain((p) => fc.tuple(narrowPlanArb(p), fc.constant(p))),
      planArb.chain((p) =>
        fc.tuple(
          widenPlanArb(p).map((w) => w.child),
          fc.constant(p),
        ),
      ),
    );
    fc.assert(
      fc.property(pairArb, ([child, p]) => {
        if (!isWithin(child, p)) return;
        for (const tool of child.tools) expect(p.tools).toContain(tool);
        for (const id of child.resources) expect(p.resources).toContain(id);
        for (const dc of child.data_classes) expect(p.data_classes).toContain(dc);
        expect(child.ttl).toBeLessThanOrEqual(p.ttl);
        const parentTotal = p.budget?.total;
        if (parentTotal !== undefined) expect(child.budget?.total).toBeLessThanOrEqual(parentTotal);
        for (const tool of child.tools) {
          const limit = p.budget?.per_tool?.[tool];
          if (limit !== undefined) expect(child.budget?.per_tool?.[tool]).toBeLessThanOrEqual(limit);
        }
      }),
      RUNS,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { agentTaskDetailSchema, agentTaskRequestDetailSchema, budgetSchema, intentSchema } from './index.js';

const detail = {
  type: 'agent_task',
  tools: ['jira.read', 'jira.comment'],
  resources: ['jira:project/OPS'],
  data_classes: ['public', 'internal'],
};

describe('budgetSchema', () => {
  it('accepts totals and per-tool limits, including zero', () => {
    expect(budgetSchema.parse({})).toEqual({});
    expect(budgetSchema.parse({ total: 0, per_tool: { 'jira.read': 3 } })).toEqual({
      total: 0,
      per_tool: { 'jira.read': 3 },
    });
  });

  it.each([
    [{ total: -1 }],
    [{ total: 1.5 }],
    [{ total: '5' }],
    [{ per_tool: { 'jira.*': 1 } }],
    [{ per_tool: { 'jira.read': -2 } }],
    [{ per_tool: { __proto__x: 1 } }],
    [{ total: 1, max: 2 }],
  ])('rejects %j', (budget) => {
    expect(budgetSchema.safeParse(budget)).toMatchObject({ success: false });
  });
});

describe('agentTaskDetailSchema', () => {
  it('accepts a writ detail, including empty resources', () => {
    expect(agentTaskDetailSchema.parse(detail)).toEqual(detail);
    expect(agentTaskDetailSchema.parse({ ...detail, resources: [] }).resources).toEqual([]);
  });

  it.each([
    ['unknown key', { ...detail, actions: ['read'] }],
    ['wrong type', { ...detail, type: 'payment_initiation' }],
    ['no tools', { ...detail, tools: [] }],
    ['wildcard tool', { ...detail, tools: ['jira.*'] }],
    ['repeated tool', { ...detail, tools: ['jira.read', 'jira.read'] }],
    ['wildcard resource', { ...detail, resources: ['jira:project/*'] }],
    ['repeated resource', { ...detail, resources: ['a', 'a'] }],
    ['missing resources', { type: 'agent_task', tools: ['a'], data_classes: ['public'] }],
    ['no data classes', { ...detail, data_classes: [] }],
    ['unknown data class', { ...detail, data_classes: ['secret'] }],
    ['repeated data class', { ...detail, data_classes: ['public', 'public'] }],
    ['tools as string', { ...detail, tools: 'jira.read' }],
    ['request-only field', { ...detail, ttl: 60 }],
  ])('rejects %s', (_name, input) => {
    expect(agentTaskDetailSchema.safeParse(input)).toMatchObject({ success: false });
  });
});

describe('agentTaskRequestDetailSchema', () => {
  it('accepts the minimal request', () => {
    expect(agentTaskRequestDetailSchema.parse({ type: 'agent_task', tools: ['jira.read'] })).toEqual({
      type: 'agent_task',
      tools: ['jira.read'],
    });
  });

  it('accepts a full request', () => {
    const request = {
      ...detail,
      intent: 'Triage new OPS tickets',
      budget: { total: 20, per_tool: { 'jira.comment': 5 } },
      ttl: 900,
    };
    expect(agentTaskRequestDetailSchema.parse(request)).toEqual(request);
  });

  it.each([
    ['unknown key', { type: 'agent_task', tools: ['a'], sub: 'admin' }],
    ['no tools', { type: 'agent_task', tools: [] }],
    ['wildcard tool', { type: 'agent_task', tools: ['*'] }],
    ['wildcard resource', { type: 'agent_task', tools: ['a'], resources: ['db:*'] }],
    ['ttl 0', { type: 'agent_task', tools: ['a'], ttl: 0 }],
    ['ttl above a day', { type: 'agent_task', tools: ['a'], ttl: 86_401 }],
    ['fractional ttl', { type: 'agent_task', tools: ['a'], ttl: 1.5 }],
    ['empty intent', { type: 'agent_task', tools: ['a'], intent: '' }],
    ['long intent', { type: 'agent_task', tools: ['a'], intent: 'x'.repeat(201) }],
    ['budget unknown key', { type: 'agent_task', tools: ['a'], budget: { total: 1, extra: 1 } }],
    ['budget for another tool', { type: 'agent_task', tools: ['a'], budget: { per_tool: { b: 1 } } }],
  ])('rejects %s', (_name, input) => {
    expect(agentTaskRequestDetailSchema.safeParse(input)).toMatchObject({ success: false });
  });

  it('points at the foreign budget tool', () => {
    const result = agentTaskRequestDetailSchema.safeParse({
      type: 'agent_task',
      tools: ['a'],
      budget: { per_tool: { b: 1 } },
    });
    expect(result.error?.issues.map((issue) => issue.path)).toEqual([['budget', 'per_tool', 'b']]);
  });
});

describe('intentSchema', () => {
  it('accepts 1 to 200 characters of text', () => {
    expect(intentSchema.safeParse('x'.repeat(200))).toMatchObject({ success: true });
    expect(intentSchema.safeParse('Résumé: triage tickets')).toMatchObject({ success: true });
  });

  it('rejects control characters that could forge log lines', () => {
    expect(intentSchema.safeParse('ok\nlevel=error forged')).toMatchObject({ success: false });
    expect(intentSchema.safeParse('a\u001b[31m')).toMatchObject({ success: false });
  });
});

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildRequest, type RequestOverrides } from '../../test/support/policy-fixtures.js';
import { loadPolicyDir } from './load-policy-dir.js';
import { WRIT_SCHEMA } from './schema.js';
import type { PolicySet } from './types.js';

const deployDir = fileURLToPath(new URL('../../../../deploy/policies/', import.meta.url));

const supportAgent = {
  id: 'spiffe://prod.example.com/agents/support-bot',
  issuer: 'spiffe:prod.example.com',
  trustDomain: 'prod.example.com',
};
const orchestrator = { ...supportAgent, id: 'spiffe://prod.example.com/agents/orchestrator/planner' };
const recordsKeeper = { ...supportAgent, id: 'spiffe://prod.example.com/agents/records-keeper' };
const githubWeb = {
  id: 'repo:example/web:ref:refs/heads/main',
  kind: 'oidc' as const,
  issuer: 'oidc:github',
  trustDomain: undefined,
  attributes: { repository: 'example/web', ref: 'refs/heads/main' },
};
const tickets = { audience: 'https://tickets.example.com' };

describe('deploy/policies', () => {
  let set: PolicySet;
  beforeAll(async () => {
    set = await loadPolicyDir(deployDir);
  });

  it('ships writ.cedarschema identical to the schema the broker validates with', async () => {
    expect(await readFile(`${deployDir}writ.cedarschema`, 'utf8')).toBe(WRIT_SCHEMA);
  });

  it('validates without warnings', () => {
    expect(set.warnings).toEqual([]);
    expect(set.policyIds).toEqual([
      'agents-start-support-task',
      'agents-call-support-tool',
      'orchestrators-delegate-to-workers',
      'records-keeper-restricted',
      'ci-web-preview-deploy',
      'k8s-batch-summarize',
      'restricted-data-only-records-keeper',
      'ttl-cap-15-minutes',
      'delegation-depth-max-3',
      'confidential-needs-budget',
      'quarantine-prod-violations',
    ]);
  });

  const confidential = { ...tickets, dataClass: 'confidential' as const, budgetTotal: 50 };
  it.each<[string, RequestOverrides, boolean, string[]]>([
    [
      'support agent, confidential with a budget',
      { principal: supportAgent, tool: 'read_ticket', context: confidential },
      true,
      ['agents-start-support-task'],
    ],
    [
      'support agent, confidential without a budget',
      { principal: supportAgent, tool: 'read_ticket', context: { ...confidential, budgetTotal: undefined } },
      false,
      ['confidential-needs-budget'],
    ],
    [
      'support agent, tool outside the set',
      { principal: supportAgent, tool: 'shell', context: tickets },
      false,
      ['default_deny'],
    ],
    [
      'support agent, unknown audience',
      { principal: supportAgent, tool: 'read_ticket', context: { audience: 'https://evil.example' } },
      false,
      ['default_deny'],
    ],
    [
      'support agent, restricted data',
      {
        principal: supportAgent,
        tool: 'read_ticket',
        context: { ...tickets, dataClass: 'restricted', budgetTotal: 5 },
      },
      false,
      ['restricted-data-only-records-keeper'],
    ],
    [
      'records keeper, restricted data',
      {
        principal: recordsKeeper,
        tool: 'read_record',
        context: { audience: 'https://records.example.com', dataClass: 'restricted', budgetTotal: 5 },
      },
      true,
      ['records-keeper-restricted'],
    ],
    [
      'TTL over the cap',
      { principal: supportAgent, tool: 'read_ticket', context: { ...tickets, ttlSeconds: 3600 } },
      false,
      ['ttl-cap-15-minutes'],
    ],
    [
      'delegation at depth 3',
      {
        action: 'delegate',
        principal: orchestrator,
        context: { ...tickets, delegationDepth: 3, actor: 'spiffe://prod.example.com/workers/w1' },
      },
      true,
      ['orchestrators-delegate-to-workers'],
    ],
    [
      'delegation at depth 4',
      {
        action: 'delegate',
        principal: orchestrator,
        context: { ...tickets, delegationDepth: 4, actor: 'spiffe://prod.example.com/workers/w1' },
      },
      false,
      ['delegation-depth-max-3'],
    ],
    [
      'delegation to a workload outside workers/',
      {
        action: 'delegate',
        principal: orchestrator,
        context: { ...tickets, delegationDepth: 1, actor: 'spiffe://prod.example.com/agents/other' },
      },
      false,
      ['default_deny'],
    ],
    [
      'GitHub Actions on main',
      { principal: githubWeb, tool: 'deploy_preview', context: { audience: 'https://deploy.example.com' } },
      true,
      ['ci-web-preview-deploy'],
    ],
    [
      'GitHub Actions on another branch',
      {
        principal: { ...githubWeb, attributes: { repository: 'example/web', ref: 'refs/heads/dev' } },
        tool: 'deploy_preview',
        context: { audience: 'https://deploy.example.com' },
      },
      false,
      ['default_deny'],
    ],
    [
      'Kubernetes batch namespace',
      {
        principal: {
          id: 'system:serviceaccount:batch:sum',
          kind: 'oidc',
          issuer: 'oidc:k8s',
          attributes: { namespace: 'batch' },
        },
        action: 'call_tool',
        tool: 'summarize',
      },
      true,
      ['k8s-batch-summarize'],
    ],
    [
      'quarantine for production',
      { action: 'quarantine_on_violation', principal: supportAgent },
      true,
      ['quarantine-prod-violations'],
    ],
    [
      'no quarantine for CI',
      { action: 'quarantine_on_violation', principal: githubWeb },
      false,
      ['default_deny'],
    ],
  ])('%s', (_name, overrides, allowed, reasons) => {
    expect(set.evaluate(buildRequest(overrides))).toEqual({ allowed, reasons, errors: [] });
  });
});

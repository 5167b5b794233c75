import type { CedarValueJson, EntityJson, StatefulAuthorizationCall } from '@cedar-policy/cedar-wasm/nodejs';
import { ACTION_TYPE, TOOL_TYPE, WORKLOAD_TYPE } from './schema.js';
import {
  DATA_CLASS_LEVELS,
  POLICY_ACTIONS,
  type PolicyRequest,
  type PrincipalAttributeValue,
} from './types.js';

/** Thrown for requests no policy could sensibly see; the caller turns it into a deny. */
export class PolicyRequestError extends Error {
  override name = 'PolicyRequestError';
}

/** Maps a request onto the schema: entities for principal and tool, the snake_case context record. */
export function toCedarRequest(
  req: PolicyRequest,
  ids: { schema: string; policySet: string },
): StatefulAuthorizationCall {
  if (!POLICY_ACTIONS.includes(req.action)) throw new PolicyRequestError(`unknown action "${req.action}"`);
  const { principal, context } = req;
  if (principal.kind !== 'spiffe' && principal.kind !== 'oidc') {
    throw new PolicyRequestError(`unknown principal kind "${principal.kind}"`);
  }
  if (!Object.hasOwn(DATA_CLASS_LEVELS, context.dataClass)) {
    throw new PolicyRequestError(`unknown data class "${context.dataClass}"`);
  }
  const tags: Record<string, CedarValueJson> = {};
  for (const [key, value] of Object.entries(principal.attributes)) tags[key] = stringifyAttribute(value);

  const entities: EntityJson[] = [
    {
      uid: { type: WORKLOAD_TYPE, id: principal.id },
      attrs: {
        id: principal.id,
        kind: principal.kind,
        issuer: principal.issuer,
        trust_domain: principal.trustDomain ?? '',
      },
      parents: [],
      tags,
    },
    { uid: { type: TOOL_TYPE, id: req.resource.tool }, attrs: { name: req.resource.tool }, parents: [] },
  ];
  return {
    principal: { type: WORKLOAD_TYPE, id: principal.id },
    action: { type: ACTION_TYPE, id: req.action },
    resource: { type: TOOL_TYPE, id: req.resource.tool },
    context: {
      audience: context.audience,
      intent: context.intent,
      data_class: context.dataClass,
      data_class_level: DATA_CLASS_LEVELS[context.dataClass],
      ttl_seconds: toLong('ttlSeconds', context.ttlSeconds),
      budget_total: toLong('budgetTotal', context.budgetTotal ?? -1),
      delegation_depth: toLong('delegationDepth', context.delegationDepth),
      actor: context.actor ?? '',
      task_id: context.taskId,
      parent_principal: context.parentPrincipal ?? '',
      time: toLong('time', context.time),
    },
    entities,
    preparsedSchemaName: ids.schema,
    preparsedPolicySetId: ids.policySet,
    validateRequest: true,
  };
}

function stringifyAttribute(value: PrincipalAttributeValue): string {
  return Array.isArray(value) ? value.map(String).join(',') : String(value);
}

// Cedar Long is a 64-bit integer; refuse fractions and values JSON cannot carry exactly.
function toLong(field: string, value: number): number {
  if (!Number.isSafeInteger(value)) throw new PolicyRequestError(`context.${field} must be an integer`);
  return value;
}

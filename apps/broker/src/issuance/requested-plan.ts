import {
  type AgentTaskRequestDetail,
  agentTaskRequestDetailSchema,
  type Budget,
  type DataClass,
  parseScope,
} from '@writ/claims';
import { invalidAuthorizationDetails, invalidScope } from '../errors.js';

/** What the client asked for; every field optional so a re-exchange can inherit its task's plan. */
export interface RequestedPlan {
  tools?: string[];
  resources?: string[];
  data_classes?: DataClass[];
  intent?: string;
  budget?: Budget;
  ttl?: number;
}

const MAX_DETAILS_CHARS = 16 * 1024;

/**
 * Reads `scope` (space-separated `tool:<name>`) and `authorization_details` (RFC 9396, one entry of
 * type agent_task). Tools named in both are merged; anything malformed is refused, never dropped.
 */
export function parseRequestedPlan(scope: string | undefined, details: string | undefined): RequestedPlan {
  const plan: RequestedPlan = {};
  if (scope !== undefined && scope.trim() !== '') {
    const parsed = parseScope(scope);
    if (!parsed.ok) throw invalidScope(parsed.error);
    plan.tools = parsed.tools;
  }
  if (details !== undefined && details !== '') {
    const detail = parseDetails(details);
    plan.tools = [...new Set([...(plan.tools ?? []), ...detail.tools])];
    if (detail.resources) plan.resources = detail.resources;
    if (detail.data_classes) plan.data_classes = detail.data_classes;
    if (detail.intent !== undefined) plan.intent = detail.intent;
    if (detail.budget) plan.budget = detail.budget;
    if (detail.ttl !== undefined) plan.ttl = detail.ttl;
  }
  return plan;
}

function parseDetails(text: string): AgentTaskRequestDetail {
  if (text.length > MAX_DETAILS_CHARS)
    throw invalidAuthorizationDetails('authorization_details is too large');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw invalidAuthorizationDetails('authorization_details must be a JSON array');
  }
  if (!Array.isArray(json) || json.length !== 1) {
    throw invalidAuthorizationDetails('authorization_details must hold exactly one agent_task entry');
  }
  const result = agentTaskRequestDetailSchema.safeParse(json[0]);
  if (!result.success) {
    const first = result.error.issues[0];
    const where = first?.path.length ? `${first.path.join('.')}: ` : '';
    throw invalidAuthorizationDetails(`authorization_details[0] ${where}${first?.message ?? 'is invalid'}`);
  }
  return result.data;
}

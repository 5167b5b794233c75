/**
 * The Cedar schema every Writ policy is validated against (strict mode). Operators get the same text
 * as deploy/policies/writ.cedarschema; a test keeps the two identical.
 *
 * `Workload.id` repeats the entity id because Cedar cannot read an entity's id as a string, and
 * policies need `like` on it (`principal.id like "spiffe://prod.example.com/agents/*"`).
 */
export const WRIT_SCHEMA = `// Writ policy schema (Cedar 4). Product code: apps/broker/src/policy/schema.ts.
namespace Writ {
  // The workload asking: a SPIFFE ID or an OIDC principal. Tags carry the identity's other
  // attributes (for example namespace, repository), always as strings.
  entity Workload = {
    id: String,
    kind: String,
    issuer: String,
    trust_domain: String,
  } tags String;

  // A tool named in the task's plan.
  entity Tool = {
    name: String,
  };

  type RequestContext = {
    audience: String,
    intent: String,
    data_class: String,
    data_class_level: Long,
    ttl_seconds: Long,
    budget_total: Long,
    delegation_depth: Long,
    actor: String,
    task_id: String,
    parent_principal: String,
    time: Long,
  };

  action start_task, delegate, call_tool, quarantine_on_violation appliesTo {
    principal: [Workload],
    resource: [Tool],
    context: RequestContext,
  };
}
`;

export const WORKLOAD_TYPE = 'Writ::Workload';
export const TOOL_TYPE = 'Writ::Tool';
export const ACTION_TYPE = 'Writ::Action';

/** Same union as `DataClass` in @writ/claims; kept local so the policy engine has no package dependency. */
export type DataClass = 'public' | 'internal' | 'confidential' | 'restricted';

export const DATA_CLASS_LEVELS: Readonly<Record<DataClass, number>> = {
  public: 0,
  internal: 1,
  confidential: 2,
  restricted: 3,
};

export const POLICY_ACTIONS = ['start_task', 'delegate', 'call_tool', 'quarantine_on_violation'] as const;

/** `quarantine_on_violation`: a matching permit means a plan violation by this principal quarantines the task. */
export type PolicyAction = (typeof POLICY_ACTIONS)[number];

export type PrincipalAttributeValue = string | number | boolean | string[];

export interface PolicyPrincipal {
  /** SPIFFE ID or the mapped OIDC principal name; also `principal.id` in policies. */
  id: string;
  kind: 'spiffe' | 'oidc';
  /** Issuer id, e.g. `spiffe:prod.example.com` or `oidc:k8s`. */
  issuer: string;
  /** SPIFFE trust domain; absent (→ `""`) for OIDC. */
  trustDomain?: string;
  /** Become entity tags: numbers/booleans stringified, arrays joined with `,`. */
  attributes: Record<string, PrincipalAttributeValue>;
}

/**
 * camelCase view of the Cedar context record (snake_case in policies). `data_class_level` is derived
 * from `dataClass` so the two can never disagree.
 */
export interface PolicyContext {
  audience: string;
  intent: string;
  dataClass: DataClass;
  ttlSeconds: number;
  /** Absent → `budget_total == -1` (no budget). */
  budgetTotal?: number;
  /** 0 for a root task; parent's depth + 1 for a delegated child. */
  delegationDepth: number;
  /** Absent → `""`. For `delegate`, the worker's principal. */
  actor?: string;
  taskId: string;
  /** Absent → `""` (a root task). */
  parentPrincipal?: string;
  /** Epoch seconds. */
  time: number;
}

export interface PolicyRequest {
  action: PolicyAction;
  principal: PolicyPrincipal;
  resource: { tool: string };
  context: PolicyContext;
}

export interface PolicyDecision {
  allowed: boolean;
  /**
   * Ids of the determining policies: the satisfied permits when allowed, the satisfied (or erroring)
   * forbids when denied; `default_deny` when nothing matched; `evaluation_error` when the request
   * itself could not be evaluated.
   */
  reasons: string[];
  errors: string[];
}

export interface PolicyProblem {
  file: string;
  /** 1-based; 0 when the problem concerns the file or directory as a whole. */
  line: number;
  column?: number;
  message: string;
}

export interface PolicySet {
  /** sha256 (hex) of the sources it was built from. */
  readonly version: string;
  readonly policyIds: readonly string[];
  /** Validator warnings (e.g. an impossible policy); they do not stop loading. */
  readonly warnings: readonly PolicyProblem[];
  evaluate(req: PolicyRequest): PolicyDecision;
  evaluateAll(reqs: readonly PolicyRequest[]): PolicyDecision;
}

export interface PolicySource {
  file: string;
  text: string;
}

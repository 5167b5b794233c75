import { createHash } from 'node:crypto';
import {
  type AuthorizationAnswer,
  preparsePolicySet,
  preparseSchema,
  type StatefulAuthorizationCall,
  statefulIsAuthorized,
} from '@cedar-policy/cedar-wasm/nodejs';
import { contextFieldsReadBy } from './context-usage.js';
import { createDecisionCache } from './decision-cache.js';
import { parsePolicyFile } from './parse-policy-file.js';
import { PolicyLoadError } from './policy-load-error.js';
import { WRIT_SCHEMA } from './schema.js';
import { toCedarRequest } from './to-cedar-request.js';
import type { PolicyDecision, PolicyProblem, PolicyRequest, PolicySet, PolicySource } from './types.js';

const SCHEMA_NAME = 'writ-schema';
let schemaPreparsed = false;

/**
 * Parses every file separately (so problems carry per-file lines), strictly validates it against
 * {@link WRIT_SCHEMA}, and merges the result into one Cedar policy set. Throws {@link PolicyLoadError}
 * listing every problem.
 *
 * @example
 * const set = createPolicySet([{ file: 'dev.cedar', text: DEV_POLICIES }]);
 * set.evaluate(request).allowed;
 */
export interface PolicySetOptions {
  /** Decisions remembered for identical requests (see decision-cache.ts); 0 turns reuse off. */
  decisionCacheSize?: number;
}

export function createPolicySet(
  sources: ReadonlyArray<PolicySource>,
  options: PolicySetOptions = {},
): PolicySet {
  preparseWritSchema();
  const problems: PolicyProblem[] = [];
  const warnings: PolicyProblem[] = [];
  const texts: Record<string, string> = {};
  const effects = new Map<string, 'permit' | 'forbid'>();
  const files = new Set<string>();
  for (const { file, text } of sources) {
    if (files.has(file)) problems.push({ file, line: 0, message: 'duplicate file name' });
    files.add(file);
    let parsed: ReturnType<typeof parsePolicyFile>;
    try {
      parsed = parsePolicyFile(file, text);
    } catch (err) {
      problems.push({ file, line: 0, message: errorMessage(err) });
      continue;
    }
    problems.push(...parsed.problems);
    warnings.push(...parsed.warnings);
    for (const policy of parsed.policies) {
      if (effects.has(policy.id)) {
        problems.push({ file, line: policy.line, message: `duplicate policy id "${policy.id}"` });
      }
      texts[policy.id] = policy.text;
      effects.set(policy.id, policy.effect);
    }
  }
  if (problems.length > 0) throw new PolicyLoadError(problems);

  const version = hashSources(sources);
  // Cedar keeps preparsed sets in a process-wide cache keyed by id; the content hash makes the id
  // unique per content, so a reload never changes a set another PolicySet still evaluates with.
  const policySetId = `writ-${version}`;
  const preparsed = preparsePolicySet(policySetId, { staticPolicies: texts });
  if (preparsed.type === 'failure') {
    throw new PolicyLoadError(preparsed.errors.map((e) => ({ file: '', line: 0, message: e.message })));
  }

  const decisions = createDecisionCache(contextFieldsReadBy(Object.values(texts)), options.decisionCacheSize);
  const evaluate = (req: PolicyRequest): PolicyDecision => {
    let call: StatefulAuthorizationCall;
    try {
      call = toCedarRequest(req, { schema: SCHEMA_NAME, policySet: policySetId });
    } catch (err) {
      return { allowed: false, reasons: ['evaluation_error'], errors: [errorMessage(err)] };
    }
    const cached = decisions.get(call);
    if (cached.decision) return copyDecision(cached.decision);
    let answer: AuthorizationAnswer;
    try {
      answer = statefulIsAuthorized(call);
    } catch (err) {
      return { allowed: false, reasons: ['evaluation_error'], errors: [errorMessage(err)] };
    }
    const decision = toDecision(answer, effects);
    decisions.set(cached.key, copyDecision(decision));
    return decision;
  };

  return {
    version,
    policyIds: [...effects.keys()],
    warnings,
    evaluate,
    evaluateAll: (reqs) => combineDecisions(reqs.map(evaluate)),
  };
}

function copyDecision(decision: PolicyDecision): PolicyDecision {
  return { allowed: decision.allowed, reasons: [...decision.reasons], errors: [...decision.errors] };
}

function toDecision(answer: AuthorizationAnswer, effects: Map<string, 'permit' | 'forbid'>): PolicyDecision {
  if (answer.type === 'failure') {
    return { allowed: false, reasons: ['evaluation_error'], errors: answer.errors.map((e) => e.message) };
  }
  const { decision, diagnostics } = answer.response;
  const errors = diagnostics.errors.map((e) => `${e.policyId}: ${e.error.message}`).sort();
  // Cedar skips an erroring policy; for a forbid that could turn a deny into an allow, so fail closed.
  const failedForbids = diagnostics.errors
    .map((e) => e.policyId)
    .filter((id) => effects.get(id) === 'forbid')
    .sort();
  if (failedForbids.length > 0) return { allowed: false, reasons: failedForbids, errors };
  // Sorted: Cedar reports determining policies in no fixed order, and audit trails should not churn.
  const reasons = [...diagnostics.reason].sort();
  if (decision === 'allow') return { allowed: true, reasons, errors };
  return {
    allowed: false,
    reasons: reasons.length > 0 ? reasons : ['default_deny'],
    errors,
  };
}

/**
 * All must allow. Reasons come from every decision when allowed, from the denying ones when
 * denied; an empty list is denied (nothing was authorized).
 */
export function combineDecisions(decisions: readonly PolicyDecision[]): PolicyDecision {
  if (decisions.length === 0) {
    return { allowed: false, reasons: ['default_deny'], errors: ['no requests to evaluate'] };
  }
  const allowed = decisions.every((d) => d.allowed);
  const deciding = allowed ? decisions : decisions.filter((d) => !d.allowed);
  return {
    allowed,
    reasons: [...new Set(deciding.flatMap((d) => d.reasons))],
    errors: [...new Set(decisions.flatMap((d) => d.errors))],
  };
}

function preparseWritSchema(): void {
  if (schemaPreparsed) return;
  const answer = preparseSchema(SCHEMA_NAME, WRIT_SCHEMA);
  if (answer.type === 'failure') {
    throw new Error(`Writ Cedar schema does not parse: ${answer.errors.map((e) => e.message).join('; ')}`);
  }
  schemaPreparsed = true;
}

function hashSources(sources: ReadonlyArray<PolicySource>): string {
  const hash = createHash('sha256');
  for (const { file, text } of [...sources].sort((a, b) =>
    a.file < b.file ? -1 : a.file > b.file ? 1 : 0,
  )) {
    hash.update(`${file.length}:${file}\n${Buffer.byteLength(text)}:${text}\n`);
  }
  return hash.digest('hex');
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

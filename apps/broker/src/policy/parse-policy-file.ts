import {
  type DetailedError,
  policySetTextToParts,
  policyToJson,
  type ValidationError,
  validate,
} from '@cedar-policy/cedar-wasm/nodejs';
import { WRIT_SCHEMA } from './schema.js';
import { locateByteOffset, locateCharOffset } from './source-location.js';
import type { PolicyProblem } from './types.js';

export interface ParsedPolicy {
  /** `@id("…")` when annotated, else `<file>:<line>` (`<file>:<line>:<column>` if a line holds two). */
  id: string;
  text: string;
  effect: 'permit' | 'forbid';
  line: number;
}

export interface ParsedPolicyFile {
  policies: ParsedPolicy[];
  problems: PolicyProblem[];
  warnings: PolicyProblem[];
}

interface PlacedPolicy {
  cedarId: string;
  text: string;
  index: number;
}

/**
 * Parses and strictly validates one file on its own, so every offset Cedar reports is relative to
 * this file's text and can be turned into a line the operator can open.
 */
export function parsePolicyFile(file: string, text: string): ParsedPolicyFile {
  const parts = policySetTextToParts(text);
  if (parts.type === 'failure') {
    return {
      policies: [],
      problems: dedupe(parts.errors.map((e) => toProblem(file, text, e))),
      warnings: [],
    };
  }
  const problems: PolicyProblem[] = parts.policy_templates.map((t) => ({
    file,
    ...locateCharOffset(text, Math.max(0, text.indexOf(t))),
    message: 'policy templates (slots like ?principal) are not supported',
  }));
  if (problems.length > 0) return { policies: [], problems, warnings: [] };
  const placed = placePolicies(text, parts.policies);
  const starts = new Map(placed.map((p) => [p.cedarId, p.index]));

  const answer = validate({
    schema: WRIT_SCHEMA,
    policies: { staticPolicies: text },
    validationSettings: { mode: 'strict' },
  });
  if (answer.type === 'failure') {
    problems.push(...answer.errors.map((e) => toProblem(file, text, e)));
    return { policies: [], problems: dedupe(problems), warnings: [] };
  }

  const policies = namePolicies(file, text, placed, problems);
  const names = new Map(placed.map((p, i) => [p.cedarId, policies[i]?.id ?? p.cedarId]));
  const fromValidation = (v: ValidationError): PolicyProblem =>
    toProblem(file, text, v.error, starts.get(v.policyId), { from: v.policyId, to: names.get(v.policyId) });
  problems.push(...answer.validationErrors.map(fromValidation));
  const warnings = answer.validationWarnings.map(fromValidation);
  return { policies, problems: dedupe(problems), warnings: dedupe(warnings) };
}

/**
 * `policySetTextToParts` returns verbatim policy texts sorted by Cedar's generated ids (`policy0`,
 * `policy1`, `policy10`, …, string order). Undo that sort to get source order, then find each text
 * after the previous one to learn where it starts.
 */
function placePolicies(text: string, texts: string[]): PlacedPolicy[] {
  const sortedIds = texts.map((_, i) => `policy${i}`).sort();
  const inSourceOrder: Array<{ cedarId: string; text: string }> = [];
  texts.forEach((t, k) => {
    const cedarId = sortedIds[k];
    if (cedarId === undefined) return;
    inSourceOrder[Number(cedarId.slice('policy'.length))] = { cedarId, text: t };
  });
  let cursor = 0;
  return inSourceOrder.map((p) => {
    const found = text.indexOf(p.text, cursor);
    const index = found === -1 ? cursor : found;
    cursor = index + p.text.length;
    return { ...p, index };
  });
}

function namePolicies(file: string, text: string, placed: PlacedPolicy[], problems: PolicyProblem[]) {
  const used = new Set<string>();
  return placed.map((p): ParsedPolicy => {
    const json = policyToJson(p.text);
    const { line, column } = locateCharOffset(text, p.index);
    if (json.type === 'failure') {
      problems.push({ file, line, column, message: json.errors.map((e) => e.message).join('; ') });
      return { id: p.cedarId, text: p.text, effect: 'forbid', line };
    }
    const annotated = json.json.annotations?.id;
    let id = annotated ?? `${file}:${line}`;
    if (annotated === undefined && used.has(id)) id = `${file}:${line}:${column}`;
    if (used.has(id)) problems.push({ file, line, column, message: `duplicate policy id "${id}"` });
    used.add(id);
    return { id, text: p.text, effect: json.json.effect, line };
  });
}

function toProblem(
  file: string,
  text: string,
  error: DetailedError,
  fallbackIndex?: number,
  rename?: { from: string; to: string | undefined },
): PolicyProblem {
  const offsets = (error.sourceLocations ?? []).map((l) => l.start);
  const at =
    offsets.length > 0
      ? locateByteOffset(text, Math.min(...offsets))
      : fallbackIndex === undefined
        ? undefined
        : locateCharOffset(text, fallbackIndex);
  let message = error.help ? `${error.message} (help: ${error.help})` : error.message;
  if (rename?.to !== undefined) message = message.replaceAll(`\`${rename.from}\``, `\`${rename.to}\``);
  return at ? { file, line: at.line, column: at.column, message } : { file, line: 0, message };
}

function dedupe(problems: PolicyProblem[]): PolicyProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.line}:${p.column}:${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

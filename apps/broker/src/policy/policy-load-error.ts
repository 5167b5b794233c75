import type { PolicyProblem } from './types.js';

/** A policy set that does not parse or validate; `problems` name file and 1-based line. */
export class PolicyLoadError extends Error {
  readonly problems: PolicyProblem[];

  constructor(problems: PolicyProblem[]) {
    super(`invalid policies:\n${problems.map(formatPolicyProblem).join('\n')}`);
    this.name = 'PolicyLoadError';
    this.problems = problems;
  }
}

export function formatPolicyProblem(p: PolicyProblem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}${p.column === undefined ? '' : `:${p.column}`}` : p.file;
  return `${where}: ${p.message}`;
}

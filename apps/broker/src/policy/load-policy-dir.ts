import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PolicyLoadError } from './policy-load-error.js';
import { createPolicySet } from './policy-set.js';
import type { PolicySet, PolicySource } from './types.js';

/** Policy files: `*.cedar` directly in the directory; dot-files (editor swap/lock files) are skipped. */
export function isPolicyFileName(name: string): boolean {
  return name.endsWith('.cedar') && !name.startsWith('.');
}

/**
 * Reads every policy file of `dir` (sorted, non-recursive) and builds a validated set. Refuses a
 * directory without policies: a broker with none would deny everything and look healthy doing it.
 */
export async function loadPolicyDir(dir: string): Promise<PolicySet> {
  const sources = await readPolicySources(dir);
  const set = createPolicySet(sources);
  if (set.policyIds.length === 0) {
    throw new PolicyLoadError([
      {
        file: dir,
        line: 0,
        message: `no policies in ${sources.length} *.cedar file(s); refusing to start without policies`,
      },
    ]);
  }
  return set;
}

async function readPolicySources(dir: string): Promise<PolicySource[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter(isPolicyFileName).sort();
  } catch (err) {
    throw new PolicyLoadError([
      { file: dir, line: 0, message: `cannot read policy directory: ${describe(err)}` },
    ]);
  }
  if (names.length === 0) {
    throw new PolicyLoadError([
      { file: dir, line: 0, message: 'no *.cedar files; refusing to start without policies' },
    ]);
  }
  const problems: { file: string; line: number; message: string }[] = [];
  const sources: PolicySource[] = [];
  for (const file of names) {
    try {
      sources.push({ file, text: await readFile(join(dir, file), 'utf8') });
    } catch (err) {
      problems.push({ file, line: 0, message: `cannot read: ${describe(err)}` });
    }
  }
  if (problems.length > 0) throw new PolicyLoadError(problems);
  return sources;
}

function describe(err: unknown): string {
  if (err instanceof Error && 'code' in err && typeof err.code === 'string') return err.code;
  return err instanceof Error ? err.message : String(err);
}

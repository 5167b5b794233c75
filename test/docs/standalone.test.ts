import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Design notes and issue numbers live outside the repository: a reader of the code has neither.
const OUTSIDE = /\b(?:DESIGN|STYLE|TESTING)\.md\b|\b[Ii]ssue \d+\b/;
const TEXT = /\.(?:ts|mjs|md|lua|sh|yaml|cedar|cedarschema|json)$/;

describe('the repository stands alone', () => {
  it('no tracked file points at design notes or issue numbers it does not contain', () => {
    const files = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      .filter(
        (file) => TEXT.test(file) && file !== 'pnpm-lock.yaml' && file !== 'test/docs/standalone.test.ts',
      );
    const hits = files.flatMap((file) =>
      readFileSync(`${ROOT}${file}`, 'utf8')
        .split('\n')
        .flatMap((line, index) => (OUTSIDE.test(line) ? [`${file}:${index + 1}: ${line.trim()}`] : [])),
    );
    expect(hits).toEqual([]);
  });
});

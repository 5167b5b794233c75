import { z } from 'zod';
import { DATA_CLASSES, TOOL_SCOPE_PREFIX } from './constants.js';

// Explicit names only: the pattern leaves no room for `*`, `?` or spaces, so a writ can never
// carry a wildcard.
const TOOL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
// No whitespace, no control or format characters (bidi overrides, zero-width characters: text
// that would read differently in an audit trail than it compares), no glob characters; ≤ 512.
const RESOURCE_ID = /^[^\s\p{Cc}\p{Cf}*?]{1,512}$/u;
const TASK_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * A tool name such as `jira.read`: 1–128 of `[A-Za-z0-9._-]`, starting alphanumeric.
 *
 * @example
 * ```ts
 * toolNameSchema.parse('github.issues.create');
 * ```
 */
export const toolNameSchema = z.string().regex(TOOL_NAME, 'invalid tool name');

/**
 * A resource id such as `jira:project/OPS`: 1–512 characters, no whitespace, format character, `*` or `?`.
 *
 * @example
 * ```ts
 * resourceIdSchema.parse('jira:project/OPS');
 * ```
 */
export const resourceIdSchema = z.string().regex(RESOURCE_ID, 'invalid resource id');

/**
 * A task id: 1–64 of `[A-Za-z0-9_-]`.
 *
 * @example
 * ```ts
 * taskIdSchema.safeParse(claims.task.id).success; // true
 * ```
 */
export const taskIdSchema = z.string().regex(TASK_ID, 'invalid task id');

/**
 * One of {@link DATA_CLASSES}.
 *
 * @example
 * ```ts
 * dataClassSchema.parse('internal');
 * ```
 */
export const dataClassSchema = z.enum(DATA_CLASSES);

export type ParseScopeResult = { ok: true; tools: string[] } | { ok: false; error: string };

/**
 * Parses an OAuth `scope` (RFC 6749 §3.3: space-delimited scope tokens) whose every token is
 * `tool:<name>`. Repeated spaces are tolerated, duplicates dropped, order kept.
 *
 * @example
 * ```ts
 * parseScope('tool:jira.read tool:jira.read tool:slack.post');
 * // { ok: true, tools: ['jira.read', 'slack.post'] }
 * parseScope('tool:*'); // { ok: false, error: 'invalid tool name in scope token "tool:*"' }
 * ```
 */
export function parseScope(scope: string): ParseScopeResult {
  const tools: string[] = [];
  const seen = new Set<string>();
  for (const token of scope.split(' ')) {
    if (token === '') continue;
    if (!token.startsWith(TOOL_SCOPE_PREFIX)) {
      return { ok: false, error: `scope token ${quote(token)} is not a ${TOOL_SCOPE_PREFIX}<name> token` };
    }
    const name = token.slice(TOOL_SCOPE_PREFIX.length);
    if (!TOOL_NAME.test(name))
      return { ok: false, error: `invalid tool name in scope token ${quote(token)}` };
    if (seen.has(name)) continue;
    seen.add(name);
    tools.push(name);
  }
  if (tools.length === 0) return { ok: false, error: 'scope names no tool' };
  return { ok: true, tools };
}

// Error text may reach an error_description: keep a hostile token short and escaped.
function quote(token: string): string {
  return JSON.stringify(token.length > 64 ? `${token.slice(0, 64)}...` : token);
}

/**
 * Formats tool names as a `scope` string: `tool:<name>` tokens joined by single spaces,
 * duplicates dropped, order kept.
 *
 * @example
 * ```ts
 * formatScope(['jira.read', 'slack.post']); // 'tool:jira.read tool:slack.post'
 * ```
 */
export function formatScope(tools: readonly string[]): string {
  return [...new Set(tools)].map((tool) => `${TOOL_SCOPE_PREFIX}${tool}`).join(' ');
}

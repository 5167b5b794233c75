import { readFileSync } from 'node:fs';

function readLua(name: string): string {
  return readFileSync(new URL(`./${name}.lua`, import.meta.url), 'utf8');
}

/** A script, with shared Lua (`with`) placed right after its `#!lua` shebang line. */
function loadScript(name: string, options: { with?: string[] } = {}): string {
  const source = readLua(name);
  if (!options.with?.length) return source;
  const end = source.indexOf('\n');
  return [source.slice(0, end), ...options.with.map(readLua), source.slice(end + 1)].join('\n');
}

/** The store's Lua scripts (Redis 7+: each starts with a `#!lua` shebang, so Redis refuses it whole on OOM or a replica). */
export const LUA_SCRIPTS = {
  commitIssuance: loadScript('commit-issuance', { with: ['liveness'] }),
  appendAudit: loadScript('append-audit'),
  rateLimit: loadScript('rate-limit'),
  revoke: loadScript('revoke'),
  revocationSnapshot: loadScript('revocation-snapshot'),
  readRevocations: loadScript('read-revocations'),
  authorizeAction: loadScript('authorize-action', { with: ['liveness'] }),
  createOperatorKey: loadScript('create-operator-key'),
  updateOperatorKey: loadScript('update-operator-key'),
} as const;

export type LuaScriptName = keyof typeof LUA_SCRIPTS;

import { readFileSync } from 'node:fs';

function loadScript(name: string): string {
  return readFileSync(new URL(`./${name}.lua`, import.meta.url), 'utf8');
}

/** The store's Lua scripts (Redis 7+: each starts with a `#!lua` shebang, so Redis refuses it whole on OOM or a replica). */
export const LUA_SCRIPTS = {
  commitIssuance: loadScript('commit-issuance'),
  appendAudit: loadScript('append-audit'),
  rateLimit: loadScript('rate-limit'),
  revoke: loadScript('revoke'),
  revocationSnapshot: loadScript('revocation-snapshot'),
  readRevocations: loadScript('read-revocations'),
  authorizeAction: loadScript('authorize-action'),
  createOperatorKey: loadScript('create-operator-key'),
  updateOperatorKey: loadScript('update-operator-key'),
} as const;

export type LuaScriptName = keyof typeof LUA_SCRIPTS;

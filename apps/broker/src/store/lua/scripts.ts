import { readFileSync } from 'node:fs';

function loadScript(name: string): string {
  return readFileSync(new URL(`./${name}.lua`, import.meta.url), 'utf8');
}

/** The store's Lua scripts (Redis 7+: each starts with a `#!lua` shebang, so Redis refuses it whole on OOM or a replica). */
export const LUA_SCRIPTS = {
  commitIssuance: loadScript('commit-issuance'),
  quarantineTask: loadScript('quarantine-task'),
  appendAudit: loadScript('append-audit'),
  rateLimit: loadScript('rate-limit'),
} as const;

export type LuaScriptName = keyof typeof LUA_SCRIPTS;

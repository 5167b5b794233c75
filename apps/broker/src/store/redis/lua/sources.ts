import { readFileSync } from 'node:fs';

function readLua(name: string): string {
  return readFileSync(new URL(`./${name}.lua`, import.meta.url), 'utf8');
}

/** A script's Lua, with shared Lua (`with`) placed right after its `#!lua` shebang line. */
export function loadLuaScript(name: string, withFiles: readonly string[] = []): string {
  const source = readLua(name);
  if (withFiles.length === 0) return source;
  const end = source.indexOf('\n');
  return [source.slice(0, end), ...withFiles.map(readLua), source.slice(end + 1)].join('\n');
}

import type { Redis } from 'ioredis';
import { LUA_SCRIPTS, type LuaScriptName } from './lua/sources.js';

/** Runs one store script: EVALSHA, falling back to EVAL on NOSCRIPT (after a restart or failover). */
export type RunScript = (keys: string[], args: (string | number)[]) => Promise<unknown>;

export type StoreScripts = Record<LuaScriptName, RunScript>;

type CustomCommand = (...args: (string | number)[]) => Promise<unknown>;

export function defineStoreScripts(redis: Redis): StoreScripts {
  const define = (name: LuaScriptName): RunScript => {
    const command = `writ_${name}`;
    redis.defineCommand(command, { lua: LUA_SCRIPTS[name] });
    const run = (redis as unknown as Record<string, CustomCommand>)[command];
    if (run === undefined) throw new Error(`ioredis did not define ${command}`);
    return (keys, args) => run.call(redis, keys.length, ...keys, ...args);
  };
  const names = Object.keys(LUA_SCRIPTS) as LuaScriptName[];
  return Object.fromEntries(names.map((name) => [name, define(name)])) as StoreScripts;
}

import type { Redis } from 'ioredis';
import { orderSlots, type ScriptCall, type ScriptDescriptor, type ScriptValue } from './define-script.js';
import { loadLuaScript } from './lua/sources.js';
import { SCRIPT_DESCRIPTORS } from './script-descriptors.js';

export type LuaScriptName = keyof typeof SCRIPT_DESCRIPTORS;

type CallOf<D> = D extends ScriptDescriptor<infer K, infer A> ? ScriptCall<K, A> : never;

/** Runs one store script: EVALSHA, falling back to EVAL on NOSCRIPT (after a restart or failover). */
export type StoreScripts = {
  [N in LuaScriptName]: (call: CallOf<(typeof SCRIPT_DESCRIPTORS)[N]>) => Promise<unknown>;
};

type CustomCommand = (...args: ScriptValue[]) => Promise<unknown>;

const NAMES = Object.keys(SCRIPT_DESCRIPTORS) as LuaScriptName[];

/**
 * The scripts' Lua, read at start so a missing file fails the start, not the first request (Redis 7+:
 * each starts with a `#!lua` shebang, so Redis refuses it whole on OOM or a replica).
 */
const LUA_SOURCES = Object.fromEntries(
  NAMES.map((name) => {
    const descriptor: ScriptDescriptor<readonly string[], readonly string[]> = SCRIPT_DESCRIPTORS[name];
    return [name, loadLuaScript(descriptor.file, descriptor.with)];
  }),
) as Record<LuaScriptName, string>;

export function defineStoreScripts(redis: Redis): StoreScripts {
  const define = (name: LuaScriptName) => {
    const descriptor: ScriptDescriptor<readonly string[], readonly string[]> = SCRIPT_DESCRIPTORS[name];
    const command = `writ_${name}`;
    redis.defineCommand(command, { lua: LUA_SOURCES[name] });
    const run = (redis as unknown as Record<string, CustomCommand>)[command];
    if (run === undefined) throw new Error(`ioredis did not define ${command}`);
    return (call: { keys: Record<string, unknown>; args: Record<string, unknown> }) => {
      const keys = orderSlots<string>(descriptor.keys, call.keys);
      const args = orderSlots<ScriptValue>(descriptor.args, call.args);
      return run.call(redis, keys.length, ...keys, ...args);
    };
  };
  return Object.fromEntries(NAMES.map((name) => [name, define(name)])) as unknown as StoreScripts;
}

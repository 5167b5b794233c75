// A typed seam between TypeScript and a Lua script: the descriptor names the script's KEYS and
// ARGV slots in order, and a call passes them by name, so the order is decided here once. A slot
// `name` is one value, `name?` is one value or none (undefined leaves it out), `...name` is a
// variadic run of values. scripts.test.ts checks each descriptor against its .lua file's header.

export type ScriptValue = string | number;

type SlotName<S extends string> = S extends `...${infer N}` ? N : S extends `${infer N}?` ? N : S;

type SlotValue<S extends string, V> = S extends `...${string}`
  ? readonly V[]
  : S extends `${string}?`
    ? V | undefined
    : V;

/** The named values of a slot list, e.g. `['dataset', '...tasks']` → `{ dataset: V; tasks: V[] }`. */
export type Slots<T extends readonly string[], V> = { [S in T[number] as SlotName<S>]: SlotValue<S, V> };

export interface ScriptDescriptor<K extends readonly string[], A extends readonly string[]> {
  /** The .lua file name without its extension (in redis/lua/). */
  file: string;
  /** Shared Lua placed right after the shebang line (see lua/sources.ts). */
  with?: readonly string[];
  keys: K;
  args: A;
}

export interface ScriptCall<K extends readonly string[], A extends readonly string[]> {
  keys: Slots<K, string>;
  args: Slots<A, ScriptValue>;
}

export function defineScript<const K extends readonly string[], const A extends readonly string[]>(
  descriptor: ScriptDescriptor<K, A>,
): ScriptDescriptor<K, A> {
  return descriptor;
}

/** The values of `named` in the order of `slots`, variadic runs spread and absent optionals left out. */
export function orderSlots<V>(slots: readonly string[], named: Readonly<Record<string, unknown>>): V[] {
  const ordered: V[] = [];
  for (const slot of slots) {
    if (slot.startsWith('...')) {
      ordered.push(...(named[slot.slice(3)] as readonly V[]));
    } else if (slot.endsWith('?')) {
      const value = named[slot.slice(0, -1)] as V | undefined;
      if (value !== undefined) ordered.push(value);
    } else {
      ordered.push(named[slot] as V);
    }
  }
  return ordered;
}

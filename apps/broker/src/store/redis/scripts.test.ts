import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixedPositions, readLuaHeader } from '../../../test/store/support/lua-header.js';
import { orderSlots } from './define-script.js';
import { SCRIPT_DESCRIPTORS } from './script-descriptors.js';

const LUA = new URL('./lua/', import.meta.url);
const readLua = (file: string) => readFileSync(new URL(`${file}.lua`, LUA), 'utf8');
const descriptors = Object.entries(SCRIPT_DESCRIPTORS);

/** The highest literal `KEYS[n]` / `ARGV[n]` index the script's code (not its comments) uses. */
function highestLiteralIndex(source: string, table: 'KEYS' | 'ARGV'): number {
  const code = source
    .split('\n')
    .map((line) => line.replace(/--.*$/, ''))
    .join('\n');
  const indexes = [...code.matchAll(new RegExp(`${table}\\[(\\d+)\\]`, 'g'))].map((m) => Number(m[1]));
  return Math.max(0, ...indexes);
}

describe('store script descriptors', () => {
  it('describe every script in redis/lua, and only those', () => {
    const scripts = readdirSync(LUA)
      .filter((file) => file.endsWith('.lua'))
      .map((file) => file.slice(0, -'.lua'.length))
      .filter((file) => readLua(file).startsWith('#!lua'));
    expect(descriptors.map(([, d]) => d.file).sort()).toEqual(scripts.sort());
  });

  describe.each(descriptors)('%s', (_name, descriptor) => {
    const source = readLua(descriptor.file);
    const header = readLuaHeader(source);

    it('names the KEYS and ARGV in the order, and with the arity, of its .lua header', () => {
      expect(header.keys.map((slot) => slot.name)).toEqual([...descriptor.keys]);
      expect(header.args.map((slot) => slot.name)).toEqual([...descriptor.args]);
    });

    it('numbers in its header only slots at a fixed position, and numbers them right', () => {
      for (const [slots, described] of [
        [header.keys, descriptor.keys],
        [header.args, descriptor.args],
      ] as const) {
        const fixed = fixedPositions(described);
        slots.forEach((slot, i) => {
          if (slot.position !== undefined)
            expect({ slot: slot.name, position: slot.position }).toEqual({
              slot: slot.name,
              position: i + 1,
            });
          if (i < fixed) expect(slot.position, `${slot.name} has a fixed position`).toBe(i + 1);
          else expect(slot.position, `${slot.name} has no fixed position`).toBeUndefined();
        });
      }
    });

    it('uses no literal KEYS[n] / ARGV[n] beyond the slots at a fixed position', () => {
      expect(highestLiteralIndex(source, 'KEYS')).toBeLessThanOrEqual(fixedPositions(descriptor.keys));
      expect(highestLiteralIndex(source, 'ARGV')).toBeLessThanOrEqual(fixedPositions(descriptor.args));
    });

    it('has its shared Lua next to it', () => {
      for (const file of descriptor.with ?? []) expect(() => readLua(file)).not.toThrow();
    });
  });
});

describe('orderSlots', () => {
  it('orders named values as the slots say: variadic runs spread, absent optionals left out', () => {
    const slots = ['a', '...many', 'maybe?', 'gone?', 'z'];
    expect(orderSlots(slots, { a: 1, many: ['x', 'y'], maybe: 'm', gone: undefined, z: 2 })).toEqual([
      1,
      'x',
      'y',
      'm',
      2,
    ]);
  });
});

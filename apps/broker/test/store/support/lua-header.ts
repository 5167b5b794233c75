// Reads the `-- KEYS:` / `-- ARGV:` header of a store script, the format the descriptors in
// src/store/redis/script-descriptors.ts are checked against (redis/scripts.test.ts). One slot a line:
//
//   -- KEYS:
//   --   1 dataset            dataset marker
//   --   8 ...chainTaskKeys   a variadic run (starts at 8)
//   --     parentChildren?    one key or none
//   --                        (a deeper-indented line continues the description above)
//
// A slot's number, when given, is its 1-based position; only slots whose position is fixed (all
// the slots before them are single, required values) may carry one.

export interface HeaderSlot {
  /** As in a descriptor: `name`, `name?` (optional) or `...name` (variadic). */
  name: string;
  position?: number;
}

export interface LuaHeader {
  keys: HeaderSlot[];
  args: HeaderSlot[];
}

const SLOT = /^--(?: {1,3}(\d+)| {4}) ((?:\.\.\.)?[A-Za-z][A-Za-z0-9]*\??)(?: +.*)?$/;
const CONTINUATION = /^-- {6,}\S/;

function readSection(lines: string[], title: string): HeaderSlot[] {
  const start = lines.indexOf(`-- ${title}:`);
  if (start < 0) throw new Error(`no "-- ${title}:" line`);
  const slots: HeaderSlot[] = [];
  for (const line of lines.slice(start + 1)) {
    const match = SLOT.exec(line);
    if (match) {
      const [, position, name = ''] = match;
      slots.push(position === undefined ? { name } : { name, position: Number(position) });
    } else if (!CONTINUATION.test(line)) {
      break;
    }
  }
  return slots;
}

export function readLuaHeader(source: string): LuaHeader {
  const lines = source.split('\n');
  return { keys: readSection(lines, 'KEYS'), args: readSection(lines, 'ARGV') };
}

/** How many leading slots have a fixed position: every single required slot, and the first other one. */
export function fixedPositions(slots: readonly string[]): number {
  const firstMoving = slots.findIndex((slot) => slot.startsWith('...') || slot.endsWith('?'));
  return firstMoving < 0 ? slots.length : firstMoving + 1;
}

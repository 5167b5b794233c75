const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface LineColumn {
  line: number;
  column: number;
}

/** Cedar reports UTF-8 byte offsets; turn one into a 1-based line and column (in characters). */
export function locateByteOffset(text: string, byteOffset: number): LineColumn {
  const prefix = decoder.decode(encoder.encode(text).subarray(0, Math.max(0, byteOffset)));
  return locateCharOffset(prefix, prefix.length);
}

/** 1-based line and column of a JS string index. */
export function locateCharOffset(text: string, index: number): LineColumn {
  const prefix = text.slice(0, index);
  let line = 1;
  for (const ch of prefix) if (ch === '\n') line += 1;
  return { line, column: index - (prefix.lastIndexOf('\n') + 1) + 1 };
}

/** One server-sent event (WHATWG HTML §9.2.6), or a comment line (the broker's heartbeats). */
export type SseMessage = { kind: 'event'; event: string; id?: string; data: string } | { kind: 'comment' };

/**
 * Parses a text/event-stream incrementally: feed it decoded chunks, get complete messages.
 * Lines end in LF, CR or CRLF; a blank line dispatches; `:` starts a comment.
 */
export function createSseParser(): (chunk: string) => SseMessage[] {
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let id: string | undefined;
  return (chunk) => {
    buffer += chunk;
    const out: SseMessage[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(buffer);
      if (!match) break;
      // A lone CR at the end may be the first half of CRLF: wait for more.
      if (match[0] === '\r' && match.index === buffer.length - 1) break;
      const line = buffer.slice(0, match.index);
      buffer = buffer.slice(match.index + match[0].length);
      if (line === '') {
        if (data.length > 0 || event) {
          out.push({
            kind: 'event',
            event: event || 'message',
            ...(id !== undefined ? { id } : {}),
            data: data.join('\n'),
          });
        }
        event = '';
        data = [];
        id = undefined;
        continue;
      }
      if (line.startsWith(':')) {
        out.push({ kind: 'comment' });
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id' && !value.includes('\0')) id = value;
    }
    if (buffer.length > 64 * 1024) throw new Error('an SSE line is longer than 64 KiB');
    return out;
  };
}

import type { Socket } from 'node:net';

/** One direction of a proxied connection: forwards chunks in order after a delay, or holds them. */
export interface DelayedPipe {
  /** Holds everything received from now on (and anything still queued) until `release()`. */
  hold(): void;
  /** Delivers held chunks now, in order, and forwards normally again. */
  release(): void;
  dispose(): void;
}

interface Entry {
  at: number;
  chunk: Buffer | null; // null = the sender half-closed; end the receiver in order
}

export function createDelayedPipe(from: Socket, to: Socket, latencyMs: () => number): DelayedPipe {
  const queue: Entry[] = [];
  let holding = false;
  let timer: NodeJS.Timeout | undefined;

  const deliver = (entry: Entry): void => {
    if (to.destroyed) return;
    if (entry.chunk === null) to.end();
    else to.write(entry.chunk);
  };

  const flush = (): void => {
    timer = undefined;
    const now = Date.now();
    for (let next = queue[0]; next !== undefined && next.at <= now; next = queue[0]) {
      queue.shift();
      deliver(next);
    }
    const head = queue[0];
    if (head && head.at !== Number.POSITIVE_INFINITY) timer = setTimeout(flush, head.at - now);
  };

  const enqueue = (chunk: Buffer | null): void => {
    const delay = latencyMs();
    if (!holding && delay <= 0 && queue.length === 0) {
      deliver({ at: 0, chunk });
      return;
    }
    // Never before the previous chunk: a latency lowered mid-stream must not reorder bytes.
    const previous = queue.at(-1)?.at ?? 0;
    const at = holding ? Number.POSITIVE_INFINITY : Math.max(Date.now() + delay, previous);
    queue.push({ at, chunk });
    if (timer === undefined && !holding) timer = setTimeout(flush, at - Date.now());
  };

  const onData = (chunk: Buffer): void => enqueue(chunk);
  const onEnd = (): void => enqueue(null);
  from.on('data', onData);
  from.on('end', onEnd);

  return {
    hold() {
      holding = true;
      clearTimeout(timer);
      timer = undefined;
      for (const entry of queue) entry.at = Number.POSITIVE_INFINITY;
    },
    release() {
      holding = false;
      const now = Date.now();
      for (const entry of queue) entry.at = now;
      flush();
    },
    dispose() {
      clearTimeout(timer);
      timer = undefined;
      queue.length = 0;
      from.off('data', onData);
      from.off('end', onEnd);
    },
  };
}

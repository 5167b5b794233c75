import { exchange, startTaskBody } from './broker-fixture.js';
import { pct, sleep } from './stats.js';

export const FOLLOWERS = 10;
export const REVOCATIONS = 200;
export const SPACING_MS = 20;

export interface FanoutResult {
  p50: number;
  p99: number;
  max: number;
  received: number;
  expected: number;
  revokeFailures: number;
}

/**
 * 10 SSE followers on GET /v1/revocations/stream (operator key `read`), then 200 task
 * revocations (POST /v1/revocations, key `revoke`) ~20 ms apart. Latency: from the start of the
 * revoke call to each follower reading the entry; every follower must see every revocation.
 */
export async function measureRevocationFanout(options: {
  url: string;
  svids: readonly string[];
  readKey: string;
  revokeKey: string;
}): Promise<FanoutResult> {
  const { url } = options;
  const tasks: string[] = [];
  for (let i = 0; i < REVOCATIONS; i++) {
    const svid = options.svids[i % options.svids.length] as string;
    tasks.push((await exchange(url, startTaskBody(svid, ['search_kb']))).taskId);
  }
  const snapshot = await fetch(`${url}/v1/revocations`, {
    headers: { authorization: `Bearer ${options.readKey}` },
  });
  if (snapshot.status !== 200) throw new Error(`GET /v1/revocations answered ${snapshot.status}`);
  const { last_id: lastId } = (await snapshot.json()) as { last_id: string | null };
  const started = new Map<string, number>();
  const latencies: number[] = [];
  const abort = new AbortController();
  let received = 0;
  const followers = await Promise.all(
    Array.from({ length: FOLLOWERS }, async () => {
      const res = await fetch(`${url}/v1/revocations/stream${lastId ? `?after=${lastId}` : ''}`, {
        headers: { authorization: `Bearer ${options.readKey}`, accept: 'text/event-stream' },
        signal: abort.signal,
      });
      if (res.status !== 200 || !res.body) throw new Error(`revocation stream answered ${res.status}`);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      // Wrapped in an object: an async function returning the loop's promise would wait for it.
      const done = (async () => {
        let buffer = '';
        try {
          for (;;) {
            const { value, done } = await reader.read();
            if (done) return;
            const now = performance.now();
            buffer += value;
            let end = buffer.indexOf('\n\n');
            while (end >= 0) {
              const event = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              end = buffer.indexOf('\n\n');
              const data = event.split('\n').find((l) => l.startsWith('data: '));
              if (!event.includes('event: revocation') || !data) continue;
              const taskId = (JSON.parse(data.slice(6)) as { target?: { task_id?: string } }).target?.task_id;
              const t0 = taskId ? started.get(taskId) : undefined;
              if (t0 === undefined) continue;
              latencies.push(now - t0);
              received++;
            }
          }
        } catch {
          // aborted at the end
        }
      })();
      return { done };
    }),
  );
  await sleep(200);
  let revokeFailures = 0;
  const calls: Promise<void>[] = [];
  for (const task of tasks) {
    started.set(task, performance.now());
    calls.push(
      fetch(`${url}/v1/revocations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.revokeKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ task }),
      }).then(
        async (res) => {
          await res.arrayBuffer();
          if (res.status !== 200) revokeFailures++;
        },
        () => {
          revokeFailures++;
        },
      ),
    );
    await sleep(SPACING_MS);
  }
  await Promise.all(calls);
  const expected = REVOCATIONS * FOLLOWERS;
  const deadline = performance.now() + 5000;
  while (received < expected && performance.now() < deadline) await sleep(20);
  abort.abort();
  await Promise.all(followers.map((f) => f.done));
  return {
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
    max: pct(latencies, 100),
    received,
    expected,
    revokeFailures,
  };
}

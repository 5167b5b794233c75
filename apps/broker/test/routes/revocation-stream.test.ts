import { waitFor } from '@writ/test/harness';
import { afterEach, describe, expect, it } from 'vitest';
import { createStreamBroker, readSse } from '../revocation-sse.js';
import { createTestOperatorKey } from '../support/fixtures.js';
import { runOperatorRouteSecurityTests } from '../support/operator-route-security.js';

type StreamBroker = Awaited<ReturnType<typeof createStreamBroker>>;

describe.each(['memory', 'redis'] as const)('GET /v1/revocations/stream (%s)', (store) => {
  let b: StreamBroker | undefined;
  afterEach(async () => {
    await b?.close();
    b = undefined;
  });

  it('delivers a revocation to a connected follower within a second, as an SSE event with its feed id', async () => {
    b = await createStreamBroker({ store });
    const [reader, revoker] = [await b.key(['read']), await b.key(['revoke'])];
    const res = await b.stream(reader);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const sse = readSse(res);
    expect(await sse.next()).toEqual({ comment: 'connected' });

    const started = Date.now();
    const id = await b.revokeOne(revoker);
    const event = await sse.nextEvent(1000);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(event?.event).toBe('revocation');
    expect(event?.id).toBe(id);
    const entry = JSON.parse(event?.data ?? '{}') as Record<string, unknown>;
    expect(entry).toMatchObject({ id, target: { kind: 'writ' }, reason: 'operator' });
    expect(entry).toEqual((await b.store.readRevocations('0-0', 10)).entries[0]);
    await sse.cancel();
  });

  it('resumes after Last-Event-ID (or ?after=) with only the later entries, in order', async () => {
    b = await createStreamBroker({ store });
    const [reader, revoker] = [await b.key(['introspect']), await b.key(['admin'])];
    const ids = [await b.revokeOne(revoker), await b.revokeOne(revoker), await b.revokeOne(revoker)];

    for (const res of [
      await b.stream(reader, { 'last-event-id': ids[0] as string }),
      await b.stream(reader, {}, `?after=${ids[0]}`),
    ]) {
      const sse = readSse(res);
      expect((await sse.nextEvent())?.id).toBe(ids[1]);
      expect((await sse.nextEvent())?.id).toBe(ids[2]);
      expect(await sse.nextEvent(300)).toBeUndefined();
      await sse.cancel();
    }
    // Without a cursor a follower gets every retained entry.
    const all = readSse(await b.stream(reader));
    expect([(await all.nextEvent())?.id, (await all.nextEvent())?.id, (await all.nextEvent())?.id]).toEqual(
      ids,
    );
    await all.cancel();
  });

  it('sends heartbeats as SSE comments while idle', async () => {
    b = await createStreamBroker({ store, heartbeatMs: 100 });
    const sse = readSse(await b.stream(await b.key(['revoke'])));
    expect(await sse.next()).toEqual({ comment: 'connected' });
    expect(await sse.next(500)).toEqual({ comment: 'heartbeat' });
    expect(await sse.next(500)).toEqual({ comment: 'heartbeat' });
    await sse.cancel();
  });

  it('stops streaming to a key disabled while connected, at the next heartbeat', async () => {
    b = await createStreamBroker({ store, heartbeatMs: 100 });
    const { key, id } = await createTestOperatorKey({ store: b.store, clock: b.clock }, ['read']);
    const sse = readSse(await b.stream(key));
    expect(await sse.next()).toEqual({ comment: 'connected' });
    expect(await sse.next(500)).toEqual({ comment: 'heartbeat' });
    const disabled = await b.store.updateOperatorKey(
      id,
      { status: 'disabled', updated_at: b.clock.nowSeconds() },
      {
        type: 'operator_key.disabled',
        time: b.clock.nowMs(),
        request_id: 'test',
        decision: 'info',
        reasons: [],
      },
    );
    expect(disabled).toBe(true);
    expect(await sse.nextEvent(1000)).toEqual({ event: 'error', data: '{"error":"invalid_token"}' });
    expect(await sse.nextEvent(300)).toBeUndefined();
  });

  it('tells a follower whose cursor was trimmed from the bounded feed to resync, and closes', async () => {
    b = await createStreamBroker({ store, feedMaxLen: 3 });
    const revoker = await b.key(['revoke']);
    const first = await b.revokeOne(revoker);
    for (let i = 0; i < 4; i++) await b.revokeOne(revoker);
    const sse = readSse(await b.stream(await b.key(['read']), { 'last-event-id': first }));
    expect(await sse.nextEvent()).toEqual({ event: 'resync', data: '{"reason":"gap"}' });
    expect(await sse.nextEvent(500)).toBeUndefined();
    expect(sse).toMatchObject({ ended: true });
  });

  it('tells a follower whose cursor is ahead of the feed to resync, instead of idling forever', async () => {
    b = await createStreamBroker({ store });
    const revoker = await b.key(['revoke']);
    const reader = await b.key(['read']);
    const id = await b.revokeOne(revoker);
    const [ms] = id.split('-');
    for (const ahead of [`${Number(ms) + 60_000}-0`, '18446744073709551615-18446744073709551615']) {
      const sse = readSse(await b.stream(reader, { 'last-event-id': ahead }));
      expect(await sse.nextEvent(1000)).toEqual({ event: 'resync', data: '{"reason":"ahead"}' });
      expect(await sse.nextEvent(300)).toBeUndefined();
      expect(sse).toMatchObject({ ended: true });
    }
    // A cursor at the newest entry is not ahead: it follows, and gets the next revocation.
    const sse = readSse(await b.stream(reader, { 'last-event-id': id }));
    expect(await sse.next()).toEqual({ comment: 'connected' });
    const next = await b.revokeOne(revoker);
    expect((await sse.nextEvent(1000))?.id).toBe(next);
    await sse.cancel();
  });

  it('refuses a malformed Last-Event-ID or after with 400 before streaming', async () => {
    b = await createStreamBroker({ store });
    const reader = await b.key(['read']);
    for (const res of [
      await b.stream(reader, { 'last-event-id': '$' }),
      await b.stream(reader, {}, '?after=1-2-3'),
      await b.stream(reader, { 'last-event-id': `${'9'.repeat(30)}-0` }),
      // Within the length limit but beyond a stream id's 64-bit range.
      await b.stream(reader, { 'last-event-id': '18446744073709551616-0' }),
      await b.stream(reader, {}, '?after=1-18446744073709551616'),
    ]) {
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'invalid_request' });
    }
  });

  it('needs an operator key with read, introspect or revoke', async () => {
    b = await createStreamBroker({ store });
    const none = await fetch(`${b.url}/v1/revocations/stream`);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: 'invalid_token' });
    const bad = await b.stream('writ_aaaaaaaaaaaaaaaa_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect(bad.status).toBe(401);
  });

  it('stops the subscription when the client disconnects', async () => {
    b = await createStreamBroker({ store });
    const broker = b;
    const controller = new AbortController();
    const res = await fetch(`${b.url}/v1/revocations/stream`, {
      headers: { authorization: `Bearer ${await b.key(['read'])}` },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    await waitFor(() => broker.feed.subscriberCount() === 1, { timeoutMs: 2000 });
    controller.abort();
    await waitFor(() => broker.feed.subscriberCount() === 0, { timeoutMs: 2000 });
  });
});

runOperatorRouteSecurityTests({
  method: 'GET',
  route: '/v1/revocations/stream',
  allowedRoles: ['feed', 'read', 'introspect', 'revoke', 'admin'],
  refusedRoles: [],
});

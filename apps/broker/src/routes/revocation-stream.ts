import type { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { invalidRequest, OAuthError } from '../errors.js';
import type { BrokerEnv } from '../http/env.js';
import { peerAddressOf } from '../http/peer-address.js';
import { requireOperator } from '../http/require-operator.js';
import type { OperatorAuthenticator } from '../operators/operator-authenticator.js';
import type { FeedEvent } from '../revocation/feed.js';
import type { RevocationDeps } from '../revocation/revocation-deps.js';
import { FEED_START, isStreamId } from '../revocation/stream-id.js';

export interface RevocationStreamDeps extends Pick<RevocationDeps, 'feed' | 'heartbeatMs'> {
  operators: OperatorAuthenticator;
}

const MAX_CURSOR_CHARS = 41;

/**
 * GET /v1/revocations/stream (role `feed`, `read`, `introspect` or `revoke`) — the revocation feed as
 * server-sent events: `revocation` events whose id is the feed cursor, resumable with
 * `Last-Event-ID` (or `?after=`). A `resync` event means entries were trimmed past the cursor:
 * rebuild from GET /v1/revocations. An `error` event means the broker cannot read the feed: the
 * follower's view is stale and it must fail closed. Either way the stream ends.
 */
export function registerRevocationStreamRoute(app: Hono<BrokerEnv>, deps: RevocationStreamDeps) {
  app.get(
    '/v1/revocations/stream',
    requireOperator(deps.operators, 'feed', 'read', 'introspect', 'revoke'),
    async (c) => {
      // WHATWG HTML §9.2: a reconnecting EventSource sends the last id it saw in Last-Event-ID.
      const after = c.req.header('last-event-id') ?? c.req.query('after') ?? FEED_START;
      if (after.length > MAX_CURSOR_CHARS || !isStreamId(after)) {
        throw invalidRequest('Last-Event-ID / after must be a feed id such as 1700000000000-0');
      }
      const roles = ['feed', 'read', 'introspect', 'revoke'] as const;
      const authorization = c.req.header('authorization');
      const peer = peerAddressOf(c);
      const requestId = c.get('requestId');
      // A follower may stay connected for hours: its key is checked again at every heartbeat, so a
      // disabled or rotated key stops receiving the feed within one heartbeat interval.
      const stillAuthorized = async (): Promise<string | undefined> => {
        try {
          const operator = await deps.operators.authenticate(authorization, peer, requestId);
          await deps.operators.requireRole(operator, [...roles], requestId, 'GET /v1/revocations/stream');
          return undefined;
        } catch (err) {
          return err instanceof OAuthError ? err.error : 'server_error';
        }
      };
      let checkedAt = Date.now();
      const response = streamSSE(c, async (stream) => {
        const subscription = deps.feed.subscribe(after);
        stream.onAbort(() => subscription.unsubscribe());
        try {
          await stream.write(': connected\n\n');
          while (!stream.aborted) {
            const event = await subscription.next(deps.heartbeatMs);
            // Checked by time, not only when idle: a busy feed must not keep a dead key streaming.
            if (Date.now() - checkedAt >= deps.heartbeatMs) {
              const refused = await stillAuthorized();
              if (refused) {
                await stream.writeSSE({ event: 'error', data: JSON.stringify({ error: refused }) });
                return;
              }
              checkedAt = Date.now();
            }
            if (event.type === 'idle') {
              await stream.write(': heartbeat\n\n');
              continue;
            }
            const message = messageOf(event);
            if (message) await stream.writeSSE(message);
            if (event.type !== 'entry') return;
          }
        } finally {
          subscription.unsubscribe();
        }
      });
      response.headers.set('Cache-Control', 'no-store');
      return response;
    },
  );
}

function messageOf(event: Exclude<FeedEvent, { type: 'idle' }>) {
  switch (event.type) {
    case 'entry':
      return { event: 'revocation', id: event.entry.id, data: JSON.stringify(event.entry) };
    case 'resync':
      return { event: 'resync', data: JSON.stringify({ reason: event.reason }) };
    case 'unavailable':
      return { event: 'error', data: JSON.stringify({ error: 'temporarily_unavailable' }) };
    case 'closed':
      return undefined;
  }
}

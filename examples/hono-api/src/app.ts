import { type Verifier, WritError } from '@writ/verifier';
import { type WritVariables, writ } from '@writ/verifier/hono';
import { Hono } from 'hono';

/**
 * A ticket API that agents call with writs. Reading needs a writ whose plan names
 * `tickets.read`; commenting needs `tickets.comment` and is authorized online at the broker
 * (budgets, Cedar, per-action audit). Everything else about the writ — signature, audience,
 * expiry, revocation of the task or any ancestor — the middleware has checked.
 *
 * @example
 * ```ts
 * const app = createTicketApi(verifier);
 * serve({ fetch: app.fetch, port: 3000 });
 * ```
 */
export function createTicketApi(verifier: Verifier): Hono<{ Variables: WritVariables }> {
  const app = new Hono<{ Variables: WritVariables }>();
  const tickets = new Map<string, { id: string; title: string; comments: string[] }>([
    ['T-1', { id: 'T-1', title: 'Printer on fire', comments: [] }],
  ]);

  app.get('/tickets/:id', writ(verifier, { tool: 'tickets.read' }), (c) => {
    const ticket = tickets.get(c.req.param('id'));
    if (!ticket) return c.json({ error: 'not_found' }, 404);
    return c.json({ ...ticket, read_for_task: c.get('writ').task.id });
  });

  app.post('/tickets/:id/comments', writ(verifier, { tool: 'tickets.comment', online: true }), async (c) => {
    const ticket = tickets.get(c.req.param('id'));
    if (!ticket) return c.json({ error: 'not_found' }, 404);
    const body = (await c.req.json().catch(() => ({}))) as { text?: unknown };
    if (typeof body.text !== 'string' || body.text.length === 0 || body.text.length > 1000) {
      return c.json({ error: 'invalid_request' }, 400);
    }
    ticket.comments.push(body.text);
    return c.json({ id: ticket.id, comments: ticket.comments.length }, 201);
  });

  app.get('/healthz', (c) => {
    const staleness = verifier.staleness();
    return c.json({ revocations_staleness_ms: Number.isFinite(staleness) ? staleness : null });
  });

  app.onError((err, c) => {
    if (err instanceof WritError) return c.json({ error: 'temporarily_unavailable' }, 503);
    return c.json({ error: 'server_error' }, 500);
  });
  return app;
}

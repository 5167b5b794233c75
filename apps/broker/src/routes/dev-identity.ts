import type { Hono } from 'hono';
import { z } from 'zod';
import { invalidRequest } from '../errors.js';
import type { BrokerEnv } from '../http/env.js';
import { type DevIdentityIssuer, IdentityError } from '../identity/index.js';

const bodySchema = z.strictObject({ sub: z.string().min(1).max(512) });

/** POST /dev/identity — dev mode only: a 5-minute JWT-SVID for spiffe://dev.local/<path>. */
export function registerDevIdentityRoute(app: Hono<BrokerEnv>, issuer: DevIdentityIssuer) {
  app.post('/dev/identity', async (c) => {
    const body = bodySchema.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success) throw invalidRequest('body must be {"sub": "spiffe://dev.local/<path>"}');
    try {
      const token = await issuer.issue(body.data.sub);
      c.header('Cache-Control', 'no-store');
      return c.json({ token });
    } catch (err) {
      if (err instanceof IdentityError)
        throw invalidRequest('sub must be a SPIFFE ID in spiffe://dev.local/');
      throw err;
    }
  });
}

import { serve } from '@hono/node-server';
import { createVerifier } from '@writ/verifier';
import { createTicketApi } from './app.js';
import { loadExampleConfig } from './config.js';

// The example API as a process (settings: src/config.ts).
const config = loadExampleConfig();
const verifier = createVerifier({
  issuer: config.issuer,
  audience: config.audience,
  revocations: { mode: 'feed', operatorKey: config.feedKey },
});
await verifier.ready();
const server = serve({ fetch: createTicketApi(verifier).fetch, port: config.port });
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    verifier.close();
    server.close();
  });
}

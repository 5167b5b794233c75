import { createVerifier } from '@writ/verifier';
import { readConfig } from './config.js';
import { createNotesApp, listen } from './server.js';

const { issuer, port, resource, feedKey, online } = readConfig();
const verifier = createVerifier({
  issuer,
  audience: resource,
  revocations: { mode: 'feed', operatorKey: feedKey },
});
await verifier.ready();
await listen(createNotesApp({ verifier, resource, issuer, online }), port);
process.stdout.write(`MCP server at ${resource}, writs from ${issuer}\n`);

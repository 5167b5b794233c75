import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StaticPrivateKeyJwtProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { type RedisServer, startRedis } from '@writ/test/harness';
import { createVerifier, type Verifier } from '@writ/verifier';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServedBroker, serveBroker } from '../../../apps/broker/test/support/testing.js';
import { createNotesApp, TOOLS } from '../src/server.js';

// The check, over real ports against the real broker on its own redis-server: an
// unmodified MCP SDK client with a JWT-SVID as its private_key_jwt assertion connects to the
// example MCP server, is sent to the broker by the 401 (protected-resource metadata →
// authorization-server metadata → token endpoint), gets a writ for one tool, calls that tool, and
// is refused the other tool as a tool error before its handler runs.

const AGENT = 'spiffe://dev.local/agents/notes-agent';

describe('an MCP SDK client gets a writ from the broker and calls the example MCP server', () => {
  let redis: RedisServer;
  let broker: ServedBroker;
  let verifier: Verifier;
  let mcp: Server;
  let mcpUrl: string;
  const ran: string[] = [];
  const seen: string[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    // The MCP server's socket first: its URL is the audience the broker must serve.
    let app: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
    mcp = createServer((req, res) => {
      res.on('finish', () => seen.push(`${req.method} ${req.url} ${res.statusCode}`));
      app?.(req, res);
    });
    await new Promise<void>((resolve) => mcp.listen(0, '127.0.0.1', resolve));
    mcpUrl = `http://127.0.0.1:${(mcp.address() as AddressInfo).port}/mcp`;
    broker = await serveBroker({
      redisUrl: redis.url,
      issuer: 'url',
      logLevel: 'info',
      config: (c) => ({ ...c, audiences: [mcpUrl] }),
    });
    verifier = createVerifier({
      issuer: broker.issuerUrl,
      audience: mcpUrl,
      revocations: { mode: 'feed', operatorKey: await broker.operatorKey(['feed']) },
    });
    await verifier.ready();
    app = createNotesApp({
      verifier,
      resource: mcpUrl,
      issuer: broker.issuerUrl,
      online: true,
      onToolRun: (tool) => ran.push(tool),
    });
  });
  afterAll(async () => {
    verifier?.close();
    await new Promise((resolve) => {
      mcp?.close(resolve);
      mcp?.closeAllConnections();
    });
    await broker?.close();
    await redis?.stop();
  });

  it('answers a request without a writ 401 with resource_metadata naming the broker', async () => {
    const res = await fetch(mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(401);
    const metadataUrl = `${new URL(mcpUrl).origin}/.well-known/oauth-protected-resource/mcp`;
    expect(res.headers.get('www-authenticate')).toContain(`resource_metadata="${metadataUrl}"`);
    const metadata = await (await fetch(metadataUrl)).json();
    expect(metadata).toEqual({
      resource: mcpUrl,
      authorization_servers: [broker.issuerUrl],
      bearer_methods_supported: ['header'],
      scopes_supported: ['tool:notes.read', 'tool:notes.delete'],
      resource_name: 'Writ example notes',
    });
  });

  it('follows the 401 to a writ, calls its tool, and is refused a tool outside its plan before it runs', async () => {
    const provider = new StaticPrivateKeyJwtProvider({
      clientId: AGENT,
      jwtBearerAssertion: await broker.issuer.svid(AGENT),
      expectedIssuer: broker.issuerUrl,
      scope: `tool:${TOOLS.read}`,
    });
    const client = new Client({ name: 'notes-agent', version: '1.0.0' });
    seen.length = 0;
    await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider }));

    // Sent to the broker by the 401: the resource metadata, the broker's metadata, its token endpoint.
    expect(seen[0]).toBe('POST /mcp 401');
    expect(seen).toContain('GET /.well-known/oauth-protected-resource/mcp 200');
    const brokerPaths = broker.logs.join('\n');
    expect(brokerPaths).toContain('/.well-known/oauth-authorization-server');
    expect(brokerPaths).toContain('/oauth2/token');
    const writ = provider.tokens()?.access_token ?? '';
    const claims = JSON.parse(Buffer.from(writ.split('.')[1] ?? '', 'base64url').toString('utf8'));
    expect(claims).toMatchObject({
      iss: broker.issuerUrl,
      sub: AGENT,
      client_id: AGENT,
      aud: mcpUrl,
      scope: `tool:${TOOLS.read}`,
    });

    const read = await client.callTool({ name: TOOLS.read, arguments: { id: '7' } });
    expect(read.isError ?? false).toBe(false);
    expect(read.content).toEqual([{ type: 'text', text: 'note 7: remember the milk' }]);
    expect(ran).toEqual([TOOLS.read]);

    const del = await client.callTool({ name: TOOLS.delete, arguments: { id: '7' } });
    expect(del.isError).toBe(true);
    expect(del.content).toEqual([
      { type: 'text', text: `refused: the writ does not cover tool ${TOOLS.delete} (tool_not_in_plan)` },
    ]);
    // The delete handler never ran.
    expect(ran).toEqual([TOOLS.read]);
    await client.close();
  });
});

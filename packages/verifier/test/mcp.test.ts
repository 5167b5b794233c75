import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { InvalidTokenError, ServerError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AGENT,
  API_AUDIENCE,
  createTestBroker,
  createTestOperatorKey,
  startWrit,
  type TestBroker,
  taskIdOf,
} from '../../../apps/broker/test/support/vitest-kit.js';
import type { Verifier } from '../src/index.js';
import { guardMcpServer, protectedResource, writTokenVerifier } from '../src/mcp.js';
import { inProcessVerifier, reached, revoke, until } from './support.js';

const PLAN = { tools: ['jira.read'], budget: { total: 1 } };

/** An McpServer with jira.read and jira.write; `ran` lists the handlers that actually ran. */
function toolServer(ran: string[], guard?: (server: McpServer) => void): McpServer {
  const server = new McpServer({ name: 'test', version: '1.0.0' });
  guard?.(server);
  for (const tool of ['jira.read', 'jira.write']) {
    server.registerTool(tool, { description: tool }, async () => {
      ran.push(tool);
      return { content: [{ type: 'text', text: `${tool} ran` }] };
    });
  }
  return server;
}

/** One tools/call over an in-memory transport, with `authInfo` as requireBearerAuth would pass it. */
async function callTool(
  server: McpServer,
  tool: string,
  authInfo?: AuthInfo,
): Promise<Record<string, unknown>> {
  const [client, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const reply = new Promise<Record<string, unknown>>((resolve) => {
    client.onmessage = (message) => {
      if ('id' in message && message.id === 1) resolve(message as Record<string, unknown>);
    };
  });
  await client.start();
  await client.send(
    { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: tool, arguments: {} } },
    authInfo ? { authInfo } : undefined,
  );
  const message = await reply;
  await server.close();
  return message.result as Record<string, unknown>;
}

describe('@writ/verifier/mcp', () => {
  let t: TestBroker;
  let verifier: Verifier;
  let writ: string;

  beforeAll(async () => {
    t = await createTestBroker({ store: 'memory' });
    verifier = await inProcessVerifier(t);
    writ = await startWrit(t, { plan: PLAN, sub: AGENT });
  });
  afterAll(async () => {
    verifier.close();
    await t.close();
  });

  it('writTokenVerifier: AuthInfo of a live writ; InvalidTokenError or ServerError otherwise', async () => {
    const info = await writTokenVerifier(verifier).verifyAccessToken(writ);
    expect(info).toMatchObject({ token: writ, clientId: AGENT, scopes: ['tool:jira.read'] });
    expect(info.resource?.href).toBe(new URL(API_AUDIENCE).href);
    expect(info.extra).toMatchObject({ sub: AGENT, task: { id: taskIdOf(writ) } });
    expect(typeof info.expiresAt).toBe('number');
    await expect(writTokenVerifier(verifier).verifyAccessToken(`${writ}x`)).rejects.toBeInstanceOf(
      InvalidTokenError,
    );
    const stale = await inProcessVerifier(t, { maxStalenessMs: 1_000 });
    t.clock.advance(2_000);
    await expect(writTokenVerifier(stale).verifyAccessToken(writ)).rejects.toBeInstanceOf(ServerError);
    stale.close();
  });

  for (const when of ['after', 'before'] as const) {
    it(`guardMcpServer (${when} registering tools): a tool outside the plan is a tool error, its handler never runs`, async () => {
      const ran: string[] = [];
      const guard = (server: McpServer) => guardMcpServer(server, verifier);
      const server = when === 'before' ? toolServer(ran, guard) : toolServer(ran);
      if (when === 'after') guard(server);
      const auth = await writTokenVerifier(verifier).verifyAccessToken(writ);
      expect(await callTool(server, 'jira.read', auth)).toEqual({
        content: [{ type: 'text', text: 'jira.read ran' }],
      });
      expect(await callTool(server, 'jira.write', auth)).toEqual({
        content: [
          { type: 'text', text: 'refused: the writ does not cover tool jira.write (tool_not_in_plan)' },
        ],
        isError: true,
      });
      const none = await callTool(server, 'jira.read');
      expect(none).toMatchObject({ isError: true });
      expect(ran).toEqual(['jira.read']);
    });
  }

  it('guardMcpServer: refuses a revoked writ; online, the broker takes the budget and denies past it', async () => {
    const ran: string[] = [];
    const server = toolServer(ran);
    guardMcpServer(server, verifier, { online: true });
    const own = await startWrit(t, { plan: PLAN, sub: AGENT });
    const auth = await writTokenVerifier(verifier).verifyAccessToken(own);
    expect((await callTool(server, 'jira.read', auth)).isError).toBeUndefined();
    const spent = await callTool(server, 'jira.read', auth);
    expect(spent).toMatchObject({ isError: true });
    expect(JSON.stringify(spent)).toContain('the broker denied tool jira.read');

    const other = await startWrit(t, { plan: PLAN, sub: AGENT });
    const otherAuth = await writTokenVerifier(verifier).verifyAccessToken(other);
    const revoker = (await createTestOperatorKey(t, ['revoke'])).key;
    const id = await revoke(t, revoker, { task: taskIdOf(other) });
    await until(() => reached(verifier, id));
    const revoked = await callTool(server, 'jira.read', otherAuth);
    expect(JSON.stringify(revoked)).toContain('ERR_WRIT_REVOKED');
    expect(ran).toEqual(['jira.read']);
  });

  it('protectedResource: RFC 9728 metadata naming the broker, at the path-inserted well-known URL', () => {
    const prm = protectedResource({
      resource: 'https://mcp.example.com/mcp',
      issuer: 'https://writ.example.com',
      scopesSupported: ['tool:jira.read'],
    });
    expect(prm.metadataUrl).toBe('https://mcp.example.com/.well-known/oauth-protected-resource/mcp');
    expect(prm.paths).toEqual([
      '/.well-known/oauth-protected-resource/mcp',
      '/.well-known/oauth-protected-resource',
    ]);
    expect(prm.metadata).toEqual({
      resource: 'https://mcp.example.com/mcp',
      authorization_servers: ['https://writ.example.com'],
      bearer_methods_supported: ['header'],
      scopes_supported: ['tool:jira.read'],
    });
  });
});

import type { Server } from 'node:http';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Verifier } from '@writ/verifier';
import { guardMcpServer, protectedResource, writTokenVerifier } from '@writ/verifier/mcp';
import { z } from 'zod';

/** The two tools, by the names writs plan them under. */
export const TOOLS = { read: 'notes.read', delete: 'notes.delete' } as const;

export interface NotesServerOptions {
  verifier: Verifier;
  /** This server's MCP endpoint URL, exactly the audience its writs name. */
  resource: string;
  /** The broker's issuer: where clients are sent for a writ. */
  issuer: string;
  /** Authorize each call at the broker too (budgets, Cedar, audit). */
  online?: boolean;
  /** Told each time a tool handler actually runs (the test proves refused calls never get here). */
  onToolRun?: (tool: string) => void;
}

/** One MCP server per request (stateless Streamable HTTP), its tools guarded by writs. */
function notesServer(options: NotesServerOptions): McpServer {
  const server = new McpServer({ name: 'writ-example-notes', version: '1.0.0' });
  server.registerTool(
    TOOLS.read,
    { description: 'Read a note', inputSchema: { id: z.string() } },
    async ({ id }) => {
      options.onToolRun?.(TOOLS.read);
      return { content: [{ type: 'text', text: `note ${id}: remember the milk` }] };
    },
  );
  server.registerTool(
    TOOLS.delete,
    { description: 'Delete a note', inputSchema: { id: z.string() } },
    async ({ id }) => {
      options.onToolRun?.(TOOLS.delete);
      return { content: [{ type: 'text', text: `note ${id} deleted` }] };
    },
  );
  guardMcpServer(server, options.verifier, { online: options.online ?? false });
  return server;
}

/**
 * The example MCP server: RFC 9728 metadata naming the broker, `requireBearerAuth` with a writ
 * verifier (a 401 carries `resource_metadata`, so an MCP client finds the broker), and every
 * tool call checked against the writ's plan before its handler runs.
 */
export function createNotesApp(options: NotesServerOptions) {
  const path = new URL(options.resource).pathname;
  const metadata = protectedResource({
    resource: options.resource,
    issuer: options.issuer,
    scopesSupported: [`tool:${TOOLS.read}`, `tool:${TOOLS.delete}`],
    resourceName: 'Writ example notes',
  });
  const app = createMcpExpressApp();
  app.use(metadata.handler);
  app.post(
    path,
    requireBearerAuth({
      verifier: writTokenVerifier(options.verifier),
      resourceMetadataUrl: metadata.metadataUrl,
      expectedResource: new URL(options.resource),
    }),
    async (req, res) => {
      const server = notesServer(options);
      // No sessionIdGenerator: stateless, one server and transport per request.
      const transport = new StreamableHTTPServerTransport({});
      res.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(req, res, req.body);
    },
  );
  return app;
}

/** Starts the example on `port` (0: any) of 127.0.0.1. */
export async function listen(app: ReturnType<typeof createNotesApp>, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(server)));
  });
}

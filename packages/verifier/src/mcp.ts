import { InvalidTokenError, ServerError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import type { OAuthTokenVerifier } from '@modelcontextprotocol/sdk/server/auth/provider.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { WritClaims } from '@writ/claims';
import type { Verifier } from './create-verifier.js';
import { WritError } from './errors.js';

/**
 * An `OAuthTokenVerifier` for the MCP TypeScript SDK's `requireBearerAuth`: the bearer token must
 * be a live writ for this server's audience (`verifier.verify`). The `AuthInfo` carries the token,
 * `clientId` (the writ's `client_id`), `scopes` (its tools, as `tool:<name>`), `expiresAt`,
 * `resource` (its audience) and, in `extra`, the writ's claims. A refused writ is the SDK's
 * `InvalidTokenError` (401 + `WWW-Authenticate`); an unknown answer (stale revocation view,
 * broker unreachable) is its `ServerError` (500): never an allow.
 *
 * @example
 * ```ts
 * import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
 * import { writTokenVerifier } from '@writ/verifier/mcp';
 *
 * app.post('/mcp', requireBearerAuth({ verifier: writTokenVerifier(verifier), resourceMetadataUrl }), handle);
 * ```
 */
export function writTokenVerifier(verifier: Verifier): OAuthTokenVerifier {
  return {
    async verifyAccessToken(token: string): Promise<AuthInfo> {
      let writ: WritClaims;
      try {
        writ = await verifier.verify(token);
      } catch (err) {
        if (!(err instanceof WritError)) throw err;
        // The message names the code, never the token.
        if (err.unavailable) throw new ServerError(`the writ cannot be checked now (${err.code})`);
        throw new InvalidTokenError(`the writ is refused (${err.code})`);
      }
      return {
        token,
        clientId: writ.client_id,
        scopes: writ.scope.split(' ').filter((scope) => scope !== ''),
        expiresAt: writ.exp,
        resource: new URL(writ.aud),
        extra: { ...writ },
      };
    },
  };
}

/** How guardMcpServer checks each tool call. */
export interface McpGuardOptions {
  /**
   * Also authorize every call at the broker (`verifier.authorize`: budgets, Cedar `call_tool`,
   * one audit event per call), failing closed when the broker cannot answer. Default false: the
   * offline check (live writ, tool in its plan).
   */
  online?: boolean;
}

type RequestHandler = (request: unknown, extra: unknown) => unknown;
type HandlerMap = Map<string, RequestHandler>;

const CALL_TOOL = 'tools/call';

/**
 * Guards every `tools/call` of an `McpServer`: the call must carry a live writ (the SDK passes
 * `extra.authInfo` from `requireBearerAuth`, e.g. with {@link writTokenVerifier}) whose plan
 * names the tool, and with `online`, one the broker authorizes. A refusal is a tool error
 * (`isError: true`, the reason in its text) returned before the tool's input is parsed or its
 * handler runs. Call it once, before or after registering tools; tools registered later are
 * guarded too.
 *
 * @example
 * ```ts
 * import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
 * import { guardMcpServer } from '@writ/verifier/mcp';
 *
 * const server = new McpServer({ name: 'issues', version: '1.0.0' });
 * server.registerTool('jira.read', { inputSchema: { id: z.string() } }, read);
 * guardMcpServer(server, verifier, { online: true });
 * ```
 */
export function guardMcpServer(server: McpServer, verifier: Verifier, options: McpGuardOptions = {}): void {
  const guard =
    (handler: RequestHandler): RequestHandler =>
    async (request, extra) => {
      const refusal = await checkToolCall(verifier, options, request, extra);
      return refusal ?? handler(request, extra);
    };
  const protocol = server.server;
  // The SDK keeps request handlers in Protocol's handler map, with no public getter: the installed
  // tools/call handler is wrapped there. Anything unexpected throws here, at start, rather than
  // leave calls unguarded.
  const handlers = Reflect.get(protocol, '_requestHandlers') as HandlerMap | undefined;
  if (!(handlers instanceof Map)) {
    throw new TypeError('guardMcpServer: this MCP SDK version keeps its request handlers elsewhere');
  }
  const guarded = new WeakSet<RequestHandler>();
  const wrapInstalled = () => {
    const installed = handlers.get(CALL_TOOL);
    if (!installed || guarded.has(installed)) return;
    const wrapped = guard(installed);
    guarded.add(wrapped);
    handlers.set(CALL_TOOL, wrapped);
  };
  // McpServer installs its tools/call handler on the first registerTool (or a later re-install):
  // whatever is set, the tools/call handler is wrapped right after.
  const setRequestHandler = protocol.setRequestHandler.bind(protocol);
  protocol.setRequestHandler = ((schema, handler) => {
    setRequestHandler(schema, handler);
    wrapInstalled();
  }) as typeof protocol.setRequestHandler;
  wrapInstalled();
}

async function checkToolCall(
  verifier: Verifier,
  options: McpGuardOptions,
  request: unknown,
  extra: unknown,
): Promise<CallToolResult | undefined> {
  const params = (request as { params?: { name?: unknown } } | undefined)?.params;
  const tool = params?.name;
  if (typeof tool !== 'string') return refuse('the call names no tool');
  const token = (extra as { authInfo?: { token?: unknown } } | undefined)?.authInfo?.token;
  if (typeof token !== 'string' || token === '') {
    return refuse(`tool ${tool} needs a writ (no bearer token reached this server)`);
  }
  try {
    // Verified again here (a cache hit): the same writ may have been revoked since the request began.
    const writ = await verifier.verify(token);
    const planned = verifier.permits(writ, { tool });
    if (!planned.permitted) {
      return refuse(`the writ does not cover tool ${tool} (${planned.reasons.join(', ')})`);
    }
    if (options.online) {
      const decision = await verifier.authorize(token, { tool });
      if (!decision.allowed) return refuse(`the broker denied tool ${tool} (${decision.reasons.join(', ')})`);
    }
    return undefined;
  } catch (err) {
    if (!(err instanceof WritError)) throw err;
    return refuse(
      err.unavailable
        ? `the writ cannot be checked now (${err.code}); try again`
        : `the writ is refused (${err.code})`,
    );
  }
}

function refuse(text: string): CallToolResult {
  return { content: [{ type: 'text', text: `refused: ${text}` }], isError: true };
}

/** Where and what to publish as this MCP server's RFC 9728 protected-resource metadata. */
export interface ProtectedResourceOptions {
  /** This MCP server's URL, exactly the audience its writs name (e.g. `https://mcp.example.com/mcp`). */
  resource: string;
  /** The broker's issuer: the authorization server clients get writs from. */
  issuer: string;
  /** The scopes to ask for, `tool:<name>` (clients send them as `scope` when they have none of their own). */
  scopesSupported?: string[];
  resourceName?: string;
}

/** The metadata document, where it is served, and a node/Express handler serving it. */
export interface ProtectedResource {
  /** RFC 9728 §2 metadata: `resource`, `authorization_servers: [issuer]`, `scopes_supported`, … */
  metadata: Record<string, unknown>;
  /** RFC 9728 §3.1: the well-known URL for `resource` (path inserted); put it in `resource_metadata`. */
  metadataUrl: string;
  /** The paths `handler` answers: the path-inserted one and the root `/.well-known/oauth-protected-resource`. */
  paths: string[];
  /**
   * Serves the metadata (GET, HEAD, CORS preflight) on `paths`; calls `next()` otherwise (or
   * answers 404 without one). An Express middleware and a node:http handler alike.
   */
  handler(
    req: { method?: string | undefined; url?: string | undefined },
    res: { statusCode: number; setHeader(name: string, value: string): unknown; end(body?: string): unknown },
    next?: () => void,
  ): void;
}

const WELL_KNOWN = '/.well-known/oauth-protected-resource';

/**
 * RFC 9728 protected-resource metadata naming the broker, so an MCP client that gets a 401 finds
 * the broker (resource metadata → the broker's RFC 8414 metadata → its token endpoint) and asks
 * for a writ whose audience is `resource`. Pass `metadataUrl` as `requireBearerAuth`'s
 * `resourceMetadataUrl`: the 401 then says `WWW-Authenticate: Bearer …, resource_metadata="…"`.
 *
 * @example
 * ```ts
 * const prm = protectedResource({ resource: 'https://mcp.example.com/mcp', issuer: 'https://writ.example.com', scopesSupported: ['tool:search'] });
 * app.use(prm.handler);
 * app.post('/mcp', requireBearerAuth({ verifier: writTokenVerifier(verifier), resourceMetadataUrl: prm.metadataUrl }), handle);
 * ```
 */
export function protectedResource(options: ProtectedResourceOptions): ProtectedResource {
  const resource = new URL(options.resource);
  const path = resource.pathname === '/' ? '' : resource.pathname.replace(/\/+$/, '');
  const paths = [...new Set([`${WELL_KNOWN}${path}`, WELL_KNOWN])];
  const metadata: Record<string, unknown> = {
    // Verbatim: the MCP SDK sends it as the RFC 8707 resource, and writs name it exactly in aud.
    resource: options.resource,
    authorization_servers: [options.issuer],
    bearer_methods_supported: ['header'],
    ...(options.scopesSupported ? { scopes_supported: options.scopesSupported } : {}),
    ...(options.resourceName ? { resource_name: options.resourceName } : {}),
  };
  const body = JSON.stringify(metadata);
  return {
    metadata,
    metadataUrl: `${resource.origin}${paths[0]}`,
    paths,
    handler(req, res, next) {
      const pathname = new URL(req.url ?? '/', 'http://x').pathname;
      const method = req.method ?? 'GET';
      if (!paths.includes(pathname) || !['GET', 'HEAD', 'OPTIONS'].includes(method)) {
        if (next) return next();
        res.statusCode = 404;
        res.end();
        return;
      }
      // Public metadata: browser-based MCP clients read it cross-origin.
      res.setHeader('access-control-allow-origin', '*');
      if (method === 'OPTIONS') {
        res.setHeader('access-control-allow-methods', 'GET, HEAD, OPTIONS');
        res.statusCode = 204;
        res.end();
        return;
      }
      res.statusCode = 200;
      res.setHeader('content-type', 'application/json');
      res.setHeader('cache-control', 'public, max-age=300');
      res.end(method === 'HEAD' ? undefined : body);
    },
  };
}

/** What the example needs to run; see README.md. */
export interface ExampleConfig {
  issuer: string;
  port: number;
  resource: string;
  feedKey: string;
  online: boolean;
}

/** The example's only reader of the environment. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): ExampleConfig {
  const issuer = env.WRIT_ISSUER ?? 'http://localhost:8080';
  const port = Number(env.PORT ?? 3001);
  const feedKey = env.WRIT_FEED_KEY;
  if (!feedKey) throw new Error('WRIT_FEED_KEY must be an operator key with the feed role');
  return {
    issuer,
    port,
    resource: env.MCP_RESOURCE ?? `http://127.0.0.1:${port}/mcp`,
    feedKey,
    online: env.WRIT_ONLINE === '1',
  };
}

/** The example's settings, the only reader of the environment. */
export interface ExampleConfig {
  /** The broker, as writs name it in `iss` (WRIT_ISSUER). */
  issuer: string;
  /** This API's audience (API_AUDIENCE). */
  audience: string;
  /** An operator key with the `feed` role (WRIT_FEED_KEY). */
  feedKey: string;
  port: number;
}

/**
 * Reads WRIT_ISSUER, API_AUDIENCE, WRIT_FEED_KEY and PORT (default 3000).
 *
 * @example
 * ```ts
 * const { issuer, audience, feedKey, port } = loadExampleConfig();
 * ```
 */
export function loadExampleConfig(env: NodeJS.ProcessEnv = process.env): ExampleConfig {
  const required = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`${name} is required`);
    return value;
  };
  return {
    issuer: required('WRIT_ISSUER'),
    audience: required('API_AUDIENCE'),
    feedKey: required('WRIT_FEED_KEY'),
    port: Number(env.PORT ?? 3000),
  };
}

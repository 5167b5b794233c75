// Types `inject('redisUrl')` in every test that (transitively) imports the harness.
declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the Redis the global setup gave this run (never 127.0.0.1:6379). */
    redisUrl: string;
  }
}

export {};

import type { OperatorIdentity } from '../operators/operator-authenticator.js';
import type { Logger } from '../shared/logger.js';

/** Typed Hono context variables set by the broker's middleware. */
export interface BrokerEnv {
  Variables: {
    /** Server-generated (http/request-id.ts); never the client's. */
    requestId: string;
    /** The client's own `X-Request-Id`, when well formed: for correlation only. */
    clientRequestId?: string;
    /** The client's address by the `trusted_proxies` rule (http/client-address.ts). */
    clientAddress: string;
    log: Logger;
    /** Set by requireOperator on operator routes. */
    operator?: OperatorIdentity;
    /** The OAuth `error` code of a refusal, for the access log line. */
    oauthError?: string;
  };
}

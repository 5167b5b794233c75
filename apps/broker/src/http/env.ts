import type { OperatorIdentity } from '../operators/operator-authenticator.js';
import type { Logger } from '../shared/logger.js';

/** Typed Hono context variables set by the broker's middleware. */
export interface BrokerEnv {
  Variables: {
    requestId: string;
    /** The client's address by the `trusted_proxies` rule (http/client-address.ts). */
    clientAddress: string;
    log: Logger;
    /** Set by requireOperator on operator routes. */
    operator?: OperatorIdentity;
    /** The OAuth `error` code of a refusal, for the access log line. */
    oauthError?: string;
  };
}

import type { WritClaims } from '@writ/claims';
import type { Verifier } from './create-verifier.js';
import { decide, type GuardOptions } from './decide.js';

export type { GuardOptions } from './decide.js';

/** What the middleware needs of a request: Express's, or node's IncomingMessage. */
export interface RequestLike {
  headers: Record<string, string | string[] | undefined>;
  /** Set by the middleware on success. */
  writ?: WritClaims;
}

/** What the middleware needs of a response: Express's, or node's ServerResponse. */
export interface ResponseLike {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body?: string): unknown;
}

/**
 * Express (or plain node:http) middleware: on success sets `req.writ` to the verified claims and
 * calls `next()`; otherwise answers itself (RFC 6750: 401 + `WWW-Authenticate`, 403
 * `insufficient_scope`, 503 + `Retry-After`). An unexpected error goes to `next(err)`.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { writ } from '@writ/verifier/express';
 *
 * const app = express();
 * app.get('/issues', writ(verifier, { tool: 'jira.read' }), (req, res) => res.json({ task: req.writ.task.id }));
 * ```
 */
export function writ<Req extends RequestLike = RequestLike>(
  verifier: Verifier,
  options: GuardOptions<Req> = {},
): (req: Req, res: ResponseLike, next: (err?: unknown) => void) => void {
  return (req, res, next) => {
    const header = req.headers.authorization;
    // Two Authorization headers are a malformed request (RFC 6750 §2.1 allows one credential):
    // passed on as an unparsable value, so the answer is 400 invalid_request.
    const authorization = Array.isArray(header) ? header.join(', ') : header;
    decide(verifier, authorization, req, options).then(
      (decision) => {
        if (decision.ok) {
          req.writ = decision.writ;
          next();
          return;
        }
        res.statusCode = decision.status;
        for (const [name, value] of Object.entries(decision.headers)) res.setHeader(name, value);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(decision.body));
      },
      (err: unknown) => next(err),
    );
  };
}

declare global {
  namespace Express {
    interface Request {
      /** The verified writ, set by `writ()` from @writ/verifier/express. */
      writ?: WritClaims;
    }
  }
}

import type { AuditEvent } from '../../audit/audit-event.js';
import type { AuthorizeActionResult, BudgetLeft, WritStore } from '../port/index.js';
import { checkTool, toTaskUsage } from '../shared/budget.js';
import { StoreUnavailableError } from '../shared/errors.js';
import { isValidKeyId } from '../shared/keys.js';
import { checkLivenessInput, decideLiveness, type TaskState, toCount, toCounts } from '../shared/liveness.js';
import { encodeAudit } from '../shared/records.js';
import { isStringRecord, type RedisContext } from './context.js';

type RuntimeMethods = Pick<WritStore, 'checkWritLive' | 'authorizeAction' | 'getTaskUsage'>;

/** Liveness (one read pipeline) and atomic budgets (lua/authorize-action.lua) in Redis. */
export function createRedisRuntime(ctx: RedisContext): RuntimeMethods {
  const { keys, scripts, clock, guard, readWithMarker, expectedEpoch, replyError } = ctx;

  const appendDenied = async (audit: AuditEvent, reasons: string[]): Promise<void> => {
    const event = encodeAudit({ ...audit, type: 'action.denied', decision: 'deny', reasons });
    const reply = await guard('append an audit event', () =>
      scripts.appendAudit({
        keys: { dataset: keys.dataset, audit: keys.audit },
        args: { epoch: expectedEpoch(), auditMaxLen: ctx.auditMaxLen, event },
      }),
    );
    if (reply !== 'ok') throw replyError(reply);
  };

  return {
    async checkWritLive(input) {
      if (!checkLivenessInput(input)) return { live: false, reason: 'writ_unknown' };
      const replies = await guard('check a writ', () =>
        readWithMarker((p) => {
          p.hmget(keys.writ(input.task_id, input.jti), 'jti', 'revoked');
          p.zscore(keys.revokedWrits, input.jti);
          for (const id of [input.task_id, ...input.chain]) p.hmget(keys.task(id), 'status', 'expires_at');
          p.get(keys.revokedAll);
          if (input.principals.length > 0) p.hmget(keys.revokedPrincipals, ...input.principals);
          if (input.issuers.length > 0) p.hmget(keys.revokedIssuers, ...input.issuers);
        }),
      );
      const [writ, revokedScore, ...rest] = replies;
      const tasks = rest.splice(0, 1 + input.chain.length).map(toTaskState);
      const [allBelow, ...named] = rest;
      const [jti, revoked] = Array.isArray(writ) ? (writ as unknown[]) : [];
      return decideLiveness({
        now: clock.nowSeconds(),
        writKnown: typeof jti === 'string',
        writRevoked: revoked === '1' || revokedScore !== null,
        task: tasks[0] ?? { status: null, expires_at: null },
        ancestors: tasks.slice(1),
        gen: input.gen,
        belowGens: [
          toCount(allBelow),
          ...named.flatMap((list) => (Array.isArray(list) ? list : [])).map(toCount),
        ],
      });
    },

    async authorizeAction(input) {
      const storable = checkLivenessInput(input);
      checkTool(input.tool);
      if (!storable) {
        await appendDenied(input.audit, ['writ_unknown']);
        return { decision: 'deny', reasons: ['writ_unknown'], budget_left: {} };
      }
      const chain = [input.task_id, ...[...input.chain].reverse()];
      const { reasons: _callerReasons, ...rest } = input.audit;
      const denied = encodeAudit({ ...rest, type: 'action.denied', decision: 'deny' } as AuditEvent);
      const reply = await guard('authorize an action', () =>
        scripts.authorizeAction({
          keys: {
            dataset: keys.dataset,
            audit: keys.audit,
            writ: keys.writ(input.task_id, input.jti),
            revokedWrits: keys.revokedWrits,
            revokedAll: keys.revokedAll,
            revokedPrincipals: keys.revokedPrincipals,
            revokedIssuers: keys.revokedIssuers,
            chainTaskKeys: chain.flatMap((id) => [keys.task(id), keys.taskUsage(id)]),
          },
          args: {
            epoch: expectedEpoch(),
            now: clock.nowSeconds(),
            auditMaxLen: ctx.auditMaxLen,
            retention: ctx.retention,
            jti: input.jti,
            gen: input.gen,
            tool: input.tool,
            allowedEvent: encodeAudit({ ...input.audit, type: 'action.allowed', decision: 'allow' }),
            // The script puts `"reasons":[...]` first and appends the rest of the event after it.
            deniedEventTail: denied.slice(1),
            principalCount: input.principals.length,
            principals: input.principals,
            issuers: input.issuers,
            chain,
          },
        }),
      );
      if (!Array.isArray(reply) || reply.length !== 4) throw replyError(reply);
      const [decision, reasons, totalLeft, toolLeft] = reply as unknown[];
      if ((decision !== 'allow' && decision !== 'deny') || !Array.isArray(reasons)) {
        throw new StoreUnavailableError('Redis returned an unexpected authorize reply');
      }
      const budgetLeft: BudgetLeft = {
        ...(typeof totalLeft === 'number' && totalLeft >= 0 ? { total: totalLeft } : {}),
        ...(typeof toolLeft === 'number' && toolLeft >= 0 ? { tool: toolLeft } : {}),
      };
      return {
        decision,
        reasons: reasons.map(String),
        budget_left: budgetLeft,
      } satisfies AuthorizeActionResult;
    },

    async getTaskUsage(id) {
      if (!isValidKeyId(id)) return { total: 0, per_tool: {} };
      const [fields] = await guard('read task usage', () =>
        readWithMarker((p) => p.hgetall(keys.taskUsage(id))),
      );
      if (!isStringRecord(fields))
        throw new StoreUnavailableError('Redis returned an unexpected usage reply');
      return toTaskUsage(toCounts(fields));
    },
  };
}

function toTaskState(reply: unknown): TaskState {
  const [status, expiresAt] = Array.isArray(reply) ? (reply as unknown[]) : [];
  return {
    status: typeof status === 'string' ? status : null,
    expires_at: typeof expiresAt === 'string' ? expiresAt : null,
  };
}

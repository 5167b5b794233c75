import type { AuditEvent } from '../../audit/audit-event.js';
import type { AuthorizeActionResult, WritLivenessInput, WritStore } from '../port/index.js';
import { checkTool, decideBudget, decodeBudget, toTaskUsage } from '../shared/budget.js';
import { isValidKeyId } from '../shared/keys.js';
import { checkLivenessInput, decideLiveness, toCount, toCounts } from '../shared/liveness.js';
import type { MemoryContext } from './context.js';
import { readLivenessFacts } from './liveness.js';

type RuntimeMethods = Pick<WritStore, 'checkWritLive' | 'authorizeAction' | 'getTaskUsage'>;

/** Liveness and budgets in memory, mirroring redis/lua/authorize-action.lua. */
export function createMemoryRuntime(ctx: MemoryContext): RuntimeMethods {
  const { keys, keyspace } = ctx;

  const readFacts = (input: WritLivenessInput) => readLivenessFacts(ctx, input);

  const record = (audit: AuditEvent, result: AuthorizeActionResult): AuthorizeActionResult => {
    ctx.appendEvent(
      result.decision === 'allow'
        ? { ...audit, type: 'action.allowed', decision: 'allow' }
        : { ...audit, type: 'action.denied', decision: 'deny', reasons: result.reasons },
    );
    return result;
  };

  return {
    async checkWritLive(input) {
      const storable = checkLivenessInput(input);
      ctx.checkOpen();
      return storable ? decideLiveness(readFacts(input)) : { live: false, reason: 'writ_unknown' };
    },

    async authorizeAction(input) {
      const storable = checkLivenessInput(input);
      checkTool(input.tool);
      ctx.checkOpen();
      const liveness = storable
        ? decideLiveness(readFacts(input))
        : ({ live: false, reason: 'writ_unknown' } as const);
      if (!liveness.live) {
        return record(input.audit, { decision: 'deny', reasons: [liveness.reason], budget_left: {} });
      }
      const chain = [input.task_id, ...[...input.chain].reverse()];
      const charged = chain.map((id) => {
        const usage = keyspace.hashFields(keys.taskUsage(id)) ?? {};
        const budget = decodeBudget(keyspace.hashFields(keys.task(id))?.budget);
        return {
          id,
          ...(budget === undefined ? {} : { budget }),
          usedTotal: toCount(usage.total) ?? 0,
          usedTool: toCount(usage[`tool:${input.tool}`]) ?? 0,
        };
      });
      const decision = decideBudget(charged, input.tool);
      if (decision.exhausted.length > 0) {
        return record(input.audit, {
          decision: 'deny',
          reasons: decision.exhausted,
          budget_left: decision.left,
        });
      }
      for (const id of chain) {
        const usageKey = keys.taskUsage(id);
        keyspace.hashIncrement(usageKey, 'total', 1);
        keyspace.hashIncrement(usageKey, `tool:${input.tool}`, 1);
        keyspace.expireAt(usageKey, Number(keyspace.hashFields(keys.task(id))?.expires_at) + ctx.retention);
      }
      return record(input.audit, { decision: 'allow', reasons: [], budget_left: decision.left });
    },

    async getTaskUsage(id) {
      if (!isValidKeyId(id)) return { total: 0, per_tool: {} };
      ctx.checkOpen();
      return toTaskUsage(toCounts(keyspace.hashFields(keys.taskUsage(id))));
    },
  };
}

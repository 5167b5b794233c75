import { Command } from 'ioredis';
import type { AuditEvent } from '../../audit/audit-event.js';
import type { RevokeInput, RevokeResult, WritStore } from '../port/index.js';
import { InvalidCursorError, StoreUnavailableError } from '../shared/errors.js';
import { latestBan } from '../shared/identity-ban.js';
import { isValidKeyId } from '../shared/keys.js';
import { toCount } from '../shared/liveness.js';
import { encodeAudit } from '../shared/records.js';
import {
  compareStreamIds,
  decodeRevocationEntry,
  isEndedStatus,
  isStreamId,
  REVOCATION_SKEW_SECONDS,
} from '../shared/revocation-records.js';
import { checkFeedPage, checkRevokeInput, MARK_PRUNE_BATCH } from '../shared/revoke-input.js';
import {
  decodeSnapshotCursor,
  type ListPosition,
  SNAPSHOT_PAGE,
  type SnapshotCursor,
  snapshotPage,
} from '../shared/snapshot-cursor.js';
import { type RedisContext, toPairs, toStreamEntries } from './context.js';

type RevocationMethods = Pick<
  WritStore,
  'currentGeneration' | 'identityBan' | 'revoke' | 'revocationSnapshot' | 'readRevocations' | 'quarantineTask'
>;

/** Revocations in Redis: lua/revoke.lua, then WAIT when replicas must confirm. */
export function createRedisRevocations(ctx: RedisContext): RevocationMethods {
  const { redis, keys, scripts, clock, guard, readWithMarker, expectedEpoch, replyError } = ctx;

  // WAIT outlives the client's command timeout, so it carries its own: a timer already set on the
  // command is kept by ioredis (Command.setTimeout only sets one once).
  const confirmOnReplicas = async (): Promise<void> => {
    if (ctx.waitReplicas === 0) return;
    const command = new Command('WAIT', [ctx.waitReplicas, ctx.waitTimeoutMs], { replyEncoding: 'utf8' });
    command.setTimeout(ctx.waitTimeoutMs + ctx.commandTimeoutMs);
    const acked = await guard(
      'confirm a revocation on replicas',
      () => redis.sendCommand(command) as Promise<unknown>,
    );
    if (typeof acked !== 'number' || acked < ctx.waitReplicas) {
      throw new StoreUnavailableError('revocation not confirmed by replicas');
    }
  };

  const findTargetHash = async (input: ReturnType<typeof checkRevokeInput>): Promise<string | undefined> => {
    const { target } = input;
    if (target.kind === 'task') return isValidKeyId(target.task_id) ? keys.task(target.task_id) : undefined;
    if (target.kind !== 'writ' || !isValidKeyId(target.jti)) return undefined;
    const [taskId] = await guard('find a writ', () =>
      readWithMarker((p) => p.get(keys.writTask(target.jti))),
    );
    return typeof taskId === 'string' && isValidKeyId(taskId) ? keys.writ(taskId, target.jti) : undefined;
  };

  const targetName = ({ target }: ReturnType<typeof checkRevokeInput>): string => {
    switch (target.kind) {
      case 'task':
        return isValidKeyId(target.task_id) ? target.task_id : '';
      case 'writ':
        return isValidKeyId(target.jti) ? target.jti : '';
      case 'principal':
        return target.principal;
      case 'issuer':
        return target.issuer;
      case 'all':
        return '';
    }
  };

  const revokeWith = async (input: RevokeInput, auditWhenUnchanged: boolean): Promise<RevokeResult> => {
    const checked = checkRevokeInput(input);
    const targetHash = await findTargetHash(checked);
    const reply = await guard('revoke', () =>
      scripts.revoke({
        keys: {
          dataset: keys.dataset,
          audit: keys.audit,
          feed: keys.revocations,
          generation: keys.generation,
          revokedAll: keys.revokedAll,
          revokedPrincipals: keys.revokedPrincipals,
          revokedIssuers: keys.revokedIssuers,
          revokedTasks: keys.revokedTasks,
          revokedTaskStatus: keys.revokedTaskStatus,
          revokedWrits: keys.revokedWrits,
          feedTrimmed: keys.revocationsTrimmed,
          revokedPrincipalsAt: keys.revokedPrincipalsAt,
          revokedIssuersAt: keys.revokedIssuersAt,
          revokedAllAt: keys.revokedAllAt,
          revokedMarks: keys.revokedMarks,
          targetHash,
        },
        args: {
          epoch: expectedEpoch(),
          now: clock.nowSeconds(),
          nowMs: clock.nowMs(),
          auditMaxLen: ctx.auditMaxLen,
          feedMaxLen: ctx.feedMaxLen,
          event: encodeAudit(input.audit),
          auditUnchanged: auditWhenUnchanged ? '1' : '0',
          targetKind: checked.target.kind,
          target: JSON.stringify(checked.target),
          targetName: targetName(checked),
          endStatus: checked.status,
          reason: checked.reason,
          writUntil: checked.writUntil ?? '',
          skew: REVOCATION_SKEW_SECONDS,
          hasTargetHash: targetHash === undefined ? '0' : '1',
          markUntil: checked.markUntil ?? '',
          pruneBatch: MARK_PRUNE_BATCH,
        },
      }),
    );
    if (!Array.isArray(reply)) throw replyError(reply);
    const [changed, id, text] = reply as unknown[];
    const result: RevokeResult =
      changed === 1 && typeof id === 'string' && typeof text === 'string'
        ? { changed: true, entry: decodeRevocationEntry(id, text) }
        : { changed: false };
    if (result.changed || auditWhenUnchanged) await confirmOnReplicas();
    return result;
  };

  return {
    async currentGeneration() {
      const [value] = await guard('read the generation', () => readWithMarker((p) => p.get(keys.generation)));
      return toCount(value) ?? 1;
    },

    async identityBan(principal, issuerId) {
      // The generation first (see IdentityBanState); one pipeline, so no extra round trip.
      const [generation, principalAt, issuerAt, allAt] = await guard('read an identity ban', () =>
        readWithMarker((p) => {
          p.get(keys.generation);
          p.hget(keys.revokedPrincipalsAt, principal);
          p.hget(keys.revokedIssuersAt, issuerId);
          p.get(keys.revokedAllAt);
        }),
      );
      return {
        generation: toCount(generation) ?? 1,
        bannedSinceMs: latestBan([principalAt, issuerAt, allAt]),
      };
    },

    revoke: (input) => revokeWith(input, true),

    async quarantineTask(id: string, audit: AuditEvent) {
      if (!isValidKeyId(id)) return false;
      const target = { kind: 'task', task_id: id } as const;
      return (await revokeWith({ target, status: 'quarantined', reason: 'quarantined', audit }, false))
        .changed;
    },

    async revocationSnapshot(cursor) {
      const at: SnapshotCursor = cursor === undefined ? {} : decodeSnapshotCursor(cursor);
      const state = (p: ListPosition | undefined) =>
        p === undefined ? ['start', '', ''] : p === 'done' ? ['done', '', ''] : ['after', p.until, p.member];
      const [taskState, taskScore, taskMember] = state(at.tasks);
      const [writState, writScore, writMember] = state(at.writs);
      const reply = await guard('read the revocation snapshot', () =>
        scripts.revocationSnapshot({
          keys: {
            dataset: keys.dataset,
            feed: keys.revocations,
            generation: keys.generation,
            revokedAll: keys.revokedAll,
            revokedPrincipals: keys.revokedPrincipals,
            revokedIssuers: keys.revokedIssuers,
            revokedTasks: keys.revokedTasks,
            revokedTaskStatus: keys.revokedTaskStatus,
            revokedWrits: keys.revokedWrits,
          },
          args: {
            epoch: expectedEpoch(),
            now: clock.nowSeconds(),
            limit: SNAPSHOT_PAGE,
            taskState: String(taskState),
            taskScore: String(taskScore),
            taskMember: String(taskMember),
            writState: String(writState),
            writScore: String(writScore),
            writMember: String(writMember),
          },
        }),
      );
      if (!Array.isArray(reply) || reply.length !== 8) throw replyError(reply);
      const [lastId, generation, allBelow, principals, issuers, tasks, statuses, writs] = reply as unknown[];
      const taskPairs = toPairs(tasks);
      const statusList = Array.isArray(statuses) ? (statuses as unknown[]) : [];
      return snapshotPage(
        {
          last_id: String(lastId),
          generation: toCount(generation) ?? 1,
          all_below: toCount(allBelow) ?? 0,
          principals: Object.fromEntries(
            toPairs(principals).map(([name, value]) => [name, toCount(value) ?? 0]),
          ),
          issuers: Object.fromEntries(toPairs(issuers).map(([name, value]) => [name, toCount(value) ?? 0])),
          tasks: taskPairs.map(([task_id, until], i) => {
            const status = statusList[i];
            return {
              task_id,
              status: isEndedStatus(status) ? status : 'revoked',
              until: toCount(until) ?? 0,
            };
          }),
          writs: toPairs(writs).map(([jti, until]) => ({ jti, until: toCount(until) ?? 0 })),
        },
        at,
      );
    },

    async readRevocations(afterId, count) {
      if (!isStreamId(afterId)) throw new InvalidCursorError('not a revocation feed id');
      checkFeedPage(count);
      const reply = await guard('read the revocation feed', () =>
        scripts.readRevocations({
          keys: { dataset: keys.dataset, feed: keys.revocations, feedTrimmed: keys.revocationsTrimmed },
          args: { epoch: expectedEpoch(), afterId, count },
        }),
      );
      if (!Array.isArray(reply) || reply.length !== 3) throw replyError(reply);
      const [entries, maxDeleted, newest] = reply as unknown[];
      if (typeof newest !== 'string' || !isStreamId(newest)) throw replyError(reply);
      return {
        entries: toStreamEntries(entries).map((entry) => decodeRevocationEntry(entry.id, entry.value)),
        gap: typeof maxDeleted === 'string' && compareStreamIds(afterId, maxDeleted) < 0,
        ahead: compareStreamIds(afterId, newest) > 0,
      };
    },
  };
}

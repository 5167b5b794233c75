import { createHash, timingSafeEqual } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log.js';
import { OAuthError, slowDown } from '../errors.js';
import { addressBucket } from '../shared/address-bucket.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { OperatorKeyRecord, WritStore } from '../store/index.js';
import { createFailureLimiter } from './failure-limiter.js';
import { hashSecret, type VerifyHash, verifySecret } from './key-hashing.js';
import { hasRole, type OperatorAuthenticator, type OperatorIdentity } from './operator-authenticator.js';
import { invalidOperatorCredentials } from './operator-errors.js';
import { generateSecret, parseOperatorKey, readBearer } from './operator-key.js';
import { createVerificationGate } from './verification-gate.js';
import { createVerifiedKeyCache } from './verified-key-cache.js';

export const DEV_ADMIN_KEY_ID = 'dev-admin';
/** Waiters beyond this are refused with 429 instead of queued. */
const MAX_QUEUED_VERIFICATIONS = 16;

export interface OperatorAuthenticatorOptions {
  store: Pick<WritStore, 'getOperatorKey' | 'takeRateLimit' | 'touchOperatorKey'>;
  clock: Clock;
  logger: Logger;
  audit: AuditLog;
  maxConcurrentVerifications?: number;
  cacheTtlMs?: number;
  failureLimit?: { limit: number; windowSeconds: number };
  /** Dev mode only (WRIT_DEV_ADMIN_KEY): accepted as an admin key. */
  devAdminKey?: string;
  /** argon2 verification; injectable so tests can count how much work a flood causes. */
  verifyHash?: VerifyHash;
}

type FailureReason =
  | 'missing_credentials'
  | 'malformed_key'
  | 'unknown_key'
  | 'wrong_secret'
  | 'key_disabled'
  | 'key_expired';

/** `last_used_at` is written at most this often per key: a busy key must not write on every call. */
const LAST_USED_RESOLUTION_SECONDS = 60;

export function createOperatorAuthenticator(options: OperatorAuthenticatorOptions): OperatorAuthenticator {
  const { store, clock, logger, audit, devAdminKey } = options;
  const verifyHash = options.verifyHash ?? verifySecret;
  const failureLimit = options.failureLimit ?? { limit: 20, windowSeconds: 60 };
  const limiter = createFailureLimiter({ store, clock, logger, ...failureLimit });
  const gate = createVerificationGate({
    maxConcurrent: options.maxConcurrentVerifications ?? 2,
    maxQueued: MAX_QUEUED_VERIFICATIONS,
  });
  const cache = createVerifiedKeyCache({ ttlMs: options.cacheTtlMs ?? 30_000 });
  const devKeyDigest = devAdminKey ? sha256(devAdminKey) : undefined;
  let dummyHash: Promise<string> | undefined;

  // A failure counts toward a block only once the key parsed: those are the attempts that cost a
  // store read and argon2 work. A request without a well-formed key costs nothing, so it is a
  // cheap refusal and never blocks the address for the valid keys used from it.
  const fail = async (
    clientKey: string,
    requestId: string,
    reason: FailureReason,
    keyId?: string,
  ): Promise<never> => {
    if (keyId !== undefined) {
      await Promise.all([
        limiter.recordFailure(addressLimit(clientKey), true),
        limiter.recordFailure(keyLimit(keyId), true),
      ]);
    }
    await audit.deny(
      {
        type: 'operator.auth_failed',
        time: clock.nowMs(),
        request_id: requestId,
        decision: 'deny',
        reasons: [reason],
        ...(keyId ? { operator_key_id: keyId } : {}),
        detail: { client: clientKey },
        // Anyone can cause these: budgeted per address (/64) and globally like every other denial
        // before a credential verified, so a flood cannot push real evidence out of the stream.
      },
      { source: clientKey },
    );
    throw invalidOperatorCredentials();
  };
  /** Per address (IPv6 per /64) and per key id: many addresses cannot share out one key's guesses. */
  const blockedFor = (clientKey: string, keyId: string): number | null => {
    const byAddress = limiter.retryAfter(addressLimit(clientKey));
    const byKey = limiter.retryAfter(keyLimit(keyId));
    return byAddress === null ? byKey : byKey === null ? byAddress : Math.max(byAddress, byKey);
  };
  const refuseIfBlocked = (clientKey: string, keyId: string) => {
    const retryAfter = blockedFor(clientKey, keyId);
    if (retryAfter !== null) throw slowDown(retryAfter);
  };
  // Requests presenting the same key while it is being verified share that one argon2 run: when a
  // busy client's cache entry is gone, its in-flight requests must not all queue at the gate.
  const inflight = new Map<string, Promise<Verification>>();
  const verifyWithGate = async (parsed: ParsedKey, clientKey: string): Promise<Verification> => {
    const entering = gate.enter();
    if (!entering) throw slowDown(1);
    const release = await entering;
    try {
      refuseIfBlocked(clientKey, parsed.id);
      const record = await store.getOperatorKey(parsed.id);
      if (record) {
        if (await verifyHash(record.hash, parsed.secret)) return { record, verifiedHash: record.hash };
        // During a rotation overlap the previous secret still verifies, against its own hash.
        const previous = inOverlap(record, clock.nowSeconds()) ? record.previous_hash : undefined;
        if (previous !== undefined && (await verifyHash(previous, parsed.secret))) {
          return { record, verifiedHash: previous };
        }
        return { record, verifiedHash: null };
      }
      dummyHash ??= hashSecret(generateSecret());
      await verifyHash(await dummyHash, parsed.secret);
      return { record: null, verifiedHash: null };
    } finally {
      release();
    }
  };
  const verifyOnce = (presented: string, parsed: ParsedKey, clientKey: string): Promise<Verification> => {
    const name = sha256(presented).toString('base64url');
    let running = inflight.get(name);
    if (!running) {
      running = verifyWithGate(parsed, clientKey).finally(() => inflight.delete(name));
      inflight.set(name, running);
    }
    return running;
  };
  const usable = (record: OperatorKeyRecord | null, hash: string): record is OperatorKeyRecord => {
    if (record === null || record.status !== 'active' || expired(record, clock.nowSeconds())) return false;
    return record.hash === hash || (record.previous_hash === hash && inOverlap(record, clock.nowSeconds()));
  };
  // Ids whose last use this replica already recorded, and when: one store write per key and
  // minute at most, without waiting on it (a failed write only loses a timestamp).
  const touched = new Map<string, number>();
  const recordUse = (record: OperatorKeyRecord) => {
    const now = clock.nowSeconds();
    const last = Math.max(record.last_used_at ?? 0, touched.get(record.id) ?? 0);
    if (now - last < LAST_USED_RESOLUTION_SECONDS) return;
    touched.delete(record.id);
    touched.set(record.id, now);
    if (touched.size > 10_000) {
      const oldest = touched.keys().next().value;
      if (oldest !== undefined) touched.delete(oldest);
    }
    store.touchOperatorKey(record.id, now).catch((err: unknown) => {
      logger.warn({ err, operator_key_id: record.id }, 'could not record operator key use');
    });
  };
  const accept = (record: OperatorKeyRecord): OperatorIdentity => {
    recordUse(record);
    return identityOf(record);
  };

  return {
    blockedFor(clientKey, authorization) {
      const presented = readBearer(authorization);
      const parsed = presented === null ? null : parseOperatorKey(presented);
      // No well-formed key: nothing to block (the app refuses it cheaply). A key that verified
      // recently is never refused by a block others caused.
      if (!presented || !parsed || cache.peek(presented, clock.nowMs())) return null;
      return blockedFor(clientKey, parsed.id);
    },
    async requireRole(identity, roles, requestId, action) {
      if (roles.some((role) => hasRole(identity, role))) return;
      await audit.deny({
        type: 'operator.denied',
        time: clock.nowMs(),
        request_id: requestId,
        decision: 'deny',
        reasons: [`role_required:${roles.join('|')}`],
        operator_key_id: identity.keyId,
        detail: { action },
      });
      throw new OAuthError(403, 'insufficient_scope', `this operation needs the ${roles.join(' or ')} role`);
    },
    async authenticate(authorization, clientKey, requestId = 'unknown') {
      const presented = readBearer(authorization);
      if (presented === null) return fail(clientKey, requestId, 'missing_credentials');
      if (devKeyDigest && timingSafeEqual(sha256(presented), devKeyDigest)) {
        return { keyId: DEV_ADMIN_KEY_ID, roles: ['admin'] };
      }
      const parsed = parseOperatorKey(presented);
      if (!parsed) return fail(clientKey, requestId, 'malformed_key');

      const cached = cache.get(presented, clock.nowMs());
      if (cached && cached.id === parsed.id) {
        const record = await store.getOperatorKey(parsed.id);
        if (usable(record, cached.hash)) return accept(record);
        cache.delete(presented);
      }

      refuseIfBlocked(clientKey, parsed.id);
      const { record, verifiedHash } = await verifyOnce(presented, parsed, clientKey);
      if (!record) return fail(clientKey, requestId, 'unknown_key', parsed.id);
      if (verifiedHash === null) return fail(clientKey, requestId, 'wrong_secret', parsed.id);
      if (record.status !== 'active') return fail(clientKey, requestId, 'key_disabled', parsed.id);
      if (expired(record, clock.nowSeconds())) return fail(clientKey, requestId, 'key_expired', parsed.id);
      cache.set(presented, { id: record.id, hash: verifiedHash }, clock.nowMs());
      return accept(record);
    },
  };
}

const addressLimit = (clientKey: string) => `addr:${addressBucket(clientKey)}`;
const keyLimit = (keyId: string) => `key:${keyId}`;

type ParsedKey = NonNullable<ReturnType<typeof parseOperatorKey>>;
interface Verification {
  record: OperatorKeyRecord | null;
  /** The stored hash the secret verified against (current or, in an overlap, previous), or null. */
  verifiedHash: string | null;
}

function expired(record: OperatorKeyRecord, nowSeconds: number): boolean {
  return record.expires_at !== undefined && nowSeconds >= record.expires_at;
}

function inOverlap(record: OperatorKeyRecord, nowSeconds: number): boolean {
  return record.previous_hash_until !== undefined && nowSeconds < record.previous_hash_until;
}

function identityOf(record: OperatorKeyRecord): OperatorIdentity {
  return { keyId: record.id, roles: [...record.roles] };
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

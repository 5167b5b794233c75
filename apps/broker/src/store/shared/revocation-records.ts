import { z } from 'zod';
import { definedOnly } from '../../shared/defined.js';
import type { EndedTaskStatus, RevocationEntry } from '../port/index.js';
import { StoreUnavailableError } from './errors.js';
import { jsonText } from './records.js';

/**
 * How long a task or writ revocation is kept after the covered writs expire: verifiers accept a
 * writ up to their clock tolerance (≤ 60 s, docs/architecture.md §3) past `exp`, so the entry must outlive it.
 */
export const REVOCATION_SKEW_SECONDS = 60;
/** Revocation feed bound (entries) unless configured. */
export const DEFAULT_FEED_MAX_LEN = 100_000;

const endedStatusSchema = z.enum(['revoked', 'completed', 'quarantined']);
const count = z.number().int().nonnegative();

const targetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('task'), task_id: z.string() }),
  z.object({ kind: z.literal('writ'), jti: z.string() }),
  z.object({ kind: z.literal('principal'), principal: z.string() }),
  z.object({ kind: z.literal('issuer'), issuer: z.string() }),
  z.object({ kind: z.literal('all') }),
]);

const storedEntrySchema = z.object({
  target: targetSchema,
  below_gen: count.optional(),
  until: count.optional(),
  status: endedStatusSchema.optional(),
  reason: z.string(),
  time: count,
});

/** The stored form of a feed entry: the entry without its id (the stream id is the id). */
export function encodeRevocationEntry(entry: Omit<RevocationEntry, 'id'>): string {
  return JSON.stringify(entry);
}

export function decodeRevocationEntry(id: string, text: string): RevocationEntry {
  const parsed = jsonText.pipe(storedEntrySchema).safeParse(text);
  if (!parsed.success) throw new StoreUnavailableError('a stored revocation entry is malformed');
  return { id, ...definedOnly(parsed.data) };
}

export function isEndedStatus(value: unknown): value is EndedTaskStatus {
  return endedStatusSchema.safeParse(value).success;
}

/** Stream ids are `<ms>-<seq>`; also the format of feed and audit cursors. */
const STREAM_ID = /^(\d{1,20})-(\d{1,20})$/;
/** Both halves of a Redis Stream id are unsigned 64-bit integers; Redis refuses anything larger. */
const MAX_ID_PART = 2n ** 64n - 1n;

/** True for `<ms>-<seq>` with both parts within Redis's 64-bit range (so Redis never errors on it). */
export function isStreamId(id: string): boolean {
  if (typeof id !== 'string') return false;
  const match = STREAM_ID.exec(id);
  if (match === null) return false;
  return BigInt(match[1] ?? '0') <= MAX_ID_PART && BigInt(match[2] ?? '0') <= MAX_ID_PART;
}

/** Orders two stream ids numerically (negative when a < b). */
export function compareStreamIds(a: string, b: string): number {
  const [, aMs = '0', aSeq = '0'] = STREAM_ID.exec(a) ?? [];
  const [, bMs = '0', bSeq = '0'] = STREAM_ID.exec(b) ?? [];
  const byMs = BigInt(aMs) - BigInt(bMs);
  if (byMs !== 0n) return byMs < 0n ? -1 : 1;
  const bySeq = BigInt(aSeq) - BigInt(bSeq);
  return bySeq === 0n ? 0 : bySeq < 0n ? -1 : 1;
}

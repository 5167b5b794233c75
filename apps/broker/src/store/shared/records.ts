import { budgetSchema, dataClassSchema } from '@writ/claims';
import { z } from 'zod';
import { AUDIT_EVENT_TYPES, type AuditEvent } from '../../audit/audit-event.js';
import { withClientRequestId } from '../../audit/client-request-ids.js';
import { definedOnly } from '../../shared/defined.js';
import type { TaskRecord, WritRecord } from '../port/index.js';
import { StoreUnavailableError } from './errors.js';

// Records are stored as flat hash fields with one- or two-letter names, so a hash stays a compact
// listpack while its values are short (hash-max-listpack-value, 64 bytes). Arrays and objects are
// JSON in one field each. What the key or another field already says is not stored again: the id
// (in the key), a client_id equal to the principal, an empty chain or actor chain. The fields Lua
// reads keep their names: `status`, `expires_at`, `budget` (task), `jti`, `expires_at`, `revoked`
// (writ).

/** Field/value pairs for HSET. Optional fields that are absent are not written at all. */
export function encodeTask(task: TaskRecord): string[] {
  return [
    ...(task.parent === undefined ? [] : ['P', task.parent]),
    ...(task.chain.length === 0 ? [] : ['h', JSON.stringify(task.chain)]),
    ...['p', task.principal],
    ...['i', task.issuer],
    ...(task.client_id === task.principal ? [] : ['c', task.client_id]),
    ...(task.client_attributes === undefined ? [] : ['a', JSON.stringify(task.client_attributes)]),
    ...['n', task.intent],
    ...['d', task.data_class],
    ...['t', JSON.stringify(task.tools)],
    ...['r', JSON.stringify(task.resources)],
    ...['D', JSON.stringify(task.data_classes)],
    ...(task.budget === undefined ? [] : ['budget', JSON.stringify(task.budget)]),
    ...['C', String(task.created_at)],
    ...['expires_at', String(task.expires_at)],
    ...['status', task.status],
  ];
}

export function encodeWrit(writ: WritRecord): string[] {
  return [
    ...['jti', writ.jti],
    ...['a', writ.audience],
    ...['t', JSON.stringify(writ.tools)],
    ...['p', writ.principal],
    ...(writ.client_id === writ.principal ? [] : ['c', writ.client_id]),
    ...(writ.actor_chain.length === 0 ? [] : ['A', JSON.stringify(writ.actor_chain)]),
    ...['i', String(writ.issued_at)],
    ...['expires_at', String(writ.expires_at)],
    ...['g', String(writ.gen)],
  ];
}

/** The task hash field listing its writs' jtis, space-separated (issuance appends to it). */
export const TASK_WRITS_FIELD = 'w';

/** The jtis of a task hash, oldest first. */
export function taskWritIds(fields: Record<string, string> | undefined): string[] {
  const list = fields?.[TASK_WRITS_FIELD];
  return list === undefined || list === '' ? [] : list.split(' ');
}

/** The task hash field/value that records one more writ. */
export function appendTaskWrit(fields: Record<string, string> | undefined, jti: string): [string, string] {
  return [TASK_WRITS_FIELD, [...taskWritIds(fields), jti].join(' ')];
}

/** The one encoding of stored audit events (both stores); adds the client's request id. */
export function encodeAudit(event: AuditEvent): string {
  return JSON.stringify(withClientRequestId(event));
}

export const jsonText = z.string().transform((text, ctx) => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.issues.push({ code: 'custom', message: 'not JSON', input: text });
    return z.NEVER;
  }
});
export const epochSeconds = z
  .string()
  .regex(/^-?\d{1,15}$/)
  .transform(Number);
const stringList = jsonText.pipe(z.array(z.string()));

const clientAttributes = jsonText.pipe(
  z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string())])),
);

const storedTaskSchema = z.object({
  P: z.string().optional(),
  h: stringList.optional(),
  p: z.string(),
  i: z.string(),
  c: z.string().optional(),
  a: clientAttributes.optional(),
  n: z.string(),
  d: dataClassSchema,
  t: stringList,
  r: stringList,
  D: jsonText.pipe(z.array(dataClassSchema)),
  budget: jsonText.pipe(budgetSchema).optional(),
  C: epochSeconds,
  expires_at: epochSeconds,
  status: z.enum(['live', 'completed', 'revoked', 'quarantined']),
});

const storedWritSchema = z.object({
  jti: z.string(),
  a: z.string(),
  t: stringList,
  p: z.string(),
  c: z.string().optional(),
  A: stringList.optional(),
  i: epochSeconds,
  expires_at: epochSeconds,
  g: epochSeconds,
  revoked: z.literal('1').optional(),
});

const auditEventSchema = z.object({
  type: z.enum(AUDIT_EVENT_TYPES),
  time: z.number(),
  request_id: z.string(),
  client_request_id: z.string().optional(),
  decision: z.enum(['allow', 'deny', 'info']),
  reasons: z.array(z.string()),
  principal: z.string().optional(),
  actor_chain: z.array(z.string()).optional(),
  operator_key_id: z.string().optional(),
  task_id: z.string().optional(),
  jti: z.string().optional(),
  audience: z.string().optional(),
  detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});

/** A stored hash (of the task `id`) back to a TaskRecord; a malformed record means the store cannot be trusted. */
export function decodeTask(id: string, fields: Record<string, string>): TaskRecord {
  const parsed = storedTaskSchema.safeParse(fields);
  if (!parsed.success) throw new StoreUnavailableError('a stored task record is malformed');
  const f = parsed.data;
  return {
    id,
    ...(f.P === undefined ? {} : { parent: f.P }),
    chain: f.h ?? [],
    principal: f.p,
    issuer: f.i,
    client_id: f.c ?? f.p,
    ...(f.a === undefined ? {} : { client_attributes: f.a }),
    intent: f.n,
    data_class: f.d,
    tools: f.t,
    resources: f.r,
    data_classes: f.D,
    ...(f.budget === undefined ? {} : { budget: f.budget }),
    created_at: f.C,
    expires_at: f.expires_at,
    status: f.status,
  };
}

/** A stored writ hash of the task `taskId` back to a WritRecord. */
export function decodeWrit(taskId: string, fields: Record<string, string>): WritRecord {
  const parsed = storedWritSchema.safeParse(fields);
  if (!parsed.success) throw new StoreUnavailableError('a stored writ record is malformed');
  const f = parsed.data;
  const writ: WritRecord = {
    jti: f.jti,
    task_id: taskId,
    audience: f.a,
    tools: f.t,
    principal: f.p,
    client_id: f.c ?? f.p,
    actor_chain: f.A ?? [],
    issued_at: f.i,
    expires_at: f.expires_at,
    gen: f.g,
  };
  return f.revoked === undefined ? writ : { ...writ, revoked: true };
}

export function decodeAudit(text: string): AuditEvent {
  const parsed = jsonText.pipe(auditEventSchema).safeParse(text);
  if (!parsed.success) throw new StoreUnavailableError('a stored audit event is malformed');
  return definedOnly(parsed.data);
}

import { budgetSchema, dataClassSchema } from '@writ/claims';
import { z } from 'zod';
import type { AuditEvent } from '../audit/audit-event.js';
import { StoreUnavailableError } from './errors.js';
import type { TaskRecord, WritRecord } from './ports.js';

// Records are stored as flat hash fields (so Lua can read `status` and `expires_at`), with
// arrays and objects JSON-encoded in one field each.

/** Field/value pairs for HSET. Optional fields that are absent are not written at all. */
export function encodeTask(task: TaskRecord): string[] {
  return [
    ...['id', task.id],
    ...(task.parent === undefined ? [] : ['parent', task.parent]),
    ...['chain', JSON.stringify(task.chain)],
    ...['principal', task.principal],
    ...['issuer', task.issuer],
    ...['client_id', task.client_id],
    ...(task.client_attributes === undefined
      ? []
      : ['client_attributes', JSON.stringify(task.client_attributes)]),
    ...['intent', task.intent],
    ...['data_class', task.data_class],
    ...['tools', JSON.stringify(task.tools)],
    ...['resources', JSON.stringify(task.resources)],
    ...['data_classes', JSON.stringify(task.data_classes)],
    ...(task.budget === undefined ? [] : ['budget', JSON.stringify(task.budget)]),
    ...['created_at', String(task.created_at)],
    ...['expires_at', String(task.expires_at)],
    ...['status', task.status],
  ];
}

export function encodeWrit(writ: WritRecord): string[] {
  return [
    ...['jti', writ.jti],
    ...['task_id', writ.task_id],
    ...['audience', writ.audience],
    ...['tools', JSON.stringify(writ.tools)],
    ...['principal', writ.principal],
    ...['client_id', writ.client_id],
    ...['actor_chain', JSON.stringify(writ.actor_chain)],
    ...['issued_at', String(writ.issued_at)],
    ...['expires_at', String(writ.expires_at)],
    ...['gen', String(writ.gen)],
  ];
}

export function encodeAudit(event: AuditEvent): string {
  return JSON.stringify(event);
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
  id: z.string(),
  parent: z.string().optional(),
  chain: stringList,
  principal: z.string(),
  issuer: z.string(),
  client_id: z.string(),
  client_attributes: clientAttributes.optional(),
  intent: z.string(),
  data_class: dataClassSchema,
  tools: stringList,
  resources: stringList,
  data_classes: jsonText.pipe(z.array(dataClassSchema)),
  budget: jsonText.pipe(budgetSchema).optional(),
  created_at: epochSeconds,
  expires_at: epochSeconds,
  status: z.enum(['live', 'completed', 'revoked', 'quarantined']),
});

const storedWritSchema = z.object({
  jti: z.string(),
  task_id: z.string(),
  audience: z.string(),
  tools: stringList,
  principal: z.string(),
  client_id: z.string(),
  actor_chain: stringList,
  issued_at: epochSeconds,
  expires_at: epochSeconds,
  gen: epochSeconds,
  revoked: z.literal('1').optional(),
});

const auditEventSchema = z.object({
  type: z.string(),
  time: z.number(),
  request_id: z.string(),
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

/** A stored hash back to a TaskRecord; a malformed record means the store cannot be trusted. */
export function decodeTask(fields: Record<string, string>): TaskRecord {
  const parsed = storedTaskSchema.safeParse(fields);
  if (!parsed.success) throw new StoreUnavailableError('a stored task record is malformed');
  return parsed.data;
}

export function decodeWrit(fields: Record<string, string>): WritRecord {
  const parsed = storedWritSchema.safeParse(fields);
  if (!parsed.success) throw new StoreUnavailableError('a stored writ record is malformed');
  const { revoked, ...writ } = parsed.data;
  return revoked === undefined ? writ : { ...writ, revoked: true };
}

export function decodeAudit(text: string): AuditEvent {
  const parsed = jsonText.pipe(auditEventSchema).safeParse(text);
  if (!parsed.success) throw new StoreUnavailableError('a stored audit event is malformed');
  return parsed.data;
}

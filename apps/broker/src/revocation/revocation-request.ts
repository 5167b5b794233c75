import { taskIdSchema } from '@writ/claims';
import { z } from 'zod';
import type { RevocationTarget } from '../store/index.js';

// Free text from an operator ends up in the audit trail: printable, one line, bounded.
const reasonSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^\p{Cc}\p{Cf}]*$/u, 'reason must not contain control or format characters');
const jtiSchema = z.string().regex(/^[A-Za-z0-9_-]{22,128}$/, 'invalid jti');
// A SPIFFE ID or `oidc:<issuer>:<subject>`; principals never contain whitespace or control characters.
const principalSchema = z
  .string()
  .min(1)
  .max(1024)
  .regex(/^[^\s\p{Cc}]+$/u, 'invalid principal');
const issuerIdSchema = z
  .string()
  .regex(/^(spiffe:[A-Za-z0-9._-]{1,255}|oidc:[a-z0-9-]{1,40})$/, 'invalid issuer id');

const reason = { reason: reasonSchema.optional() };

/** `POST /v1/revocations` body: exactly one target, plus an optional reason. */
export const revocationRequestSchema = z.union([
  z.strictObject({ task: taskIdSchema, ...reason }),
  z.strictObject({ jti: jtiSchema, ...reason }),
  z.strictObject({ principal: principalSchema, ...reason }),
  z.strictObject({ issuer: issuerIdSchema, ...reason }),
  z.strictObject({ all: z.literal(true), ...reason }),
]);

export type RevocationRequest = z.infer<typeof revocationRequestSchema>;

export function targetOf(request: RevocationRequest): RevocationTarget {
  if ('task' in request) return { kind: 'task', task_id: request.task };
  if ('jti' in request) return { kind: 'writ', jti: request.jti };
  if ('principal' in request) return { kind: 'principal', principal: request.principal };
  if ('issuer' in request) return { kind: 'issuer', issuer: request.issuer };
  return { kind: 'all' };
}

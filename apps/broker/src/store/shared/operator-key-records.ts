import { z } from 'zod';
import { definedOnly } from '../../shared/defined.js';
import type { OperatorKeyRecord } from '../port/index.js';
import { StoreUnavailableError } from './errors.js';
import { epochSeconds, jsonText } from './records.js';

export function encodeOperatorKey(record: OperatorKeyRecord): string[] {
  return [
    ...['id', record.id],
    ...['name', record.name],
    ...['roles', JSON.stringify(record.roles)],
    ...['hash', record.hash],
    ...['status', record.status],
    ...['created_at', String(record.created_at)],
    ...['updated_at', String(record.updated_at)],
    ...(record.expires_at === undefined ? [] : ['expires_at', String(record.expires_at)]),
    ...(record.last_used_at === undefined ? [] : ['last_used_at', String(record.last_used_at)]),
    ...(record.previous_hash === undefined ? [] : ['previous_hash', record.previous_hash]),
    ...(record.previous_hash_until === undefined
      ? []
      : ['previous_hash_until', String(record.previous_hash_until)]),
  ];
}

/** The fields an update writes: only what the patch names. */
export function encodeOperatorKeyPatch(patch: {
  status?: 'active' | 'disabled';
  hash?: string;
  updated_at: number;
}): string[] {
  return [
    ...(patch.status === undefined ? [] : ['status', patch.status]),
    ...(patch.hash === undefined ? [] : ['hash', patch.hash]),
    ...['updated_at', String(patch.updated_at)],
  ];
}

const storedOperatorKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  roles: jsonText.pipe(z.array(z.enum(['admin', 'revoke', 'read', 'introspect', 'feed']))),
  hash: z.string(),
  status: z.enum(['active', 'disabled']),
  created_at: epochSeconds,
  updated_at: epochSeconds,
  expires_at: epochSeconds.optional(),
  last_used_at: epochSeconds.optional(),
  previous_hash: z.string().optional(),
  previous_hash_until: epochSeconds.optional(),
});

export function decodeOperatorKey(fields: Record<string, string>): OperatorKeyRecord {
  const parsed = storedOperatorKeySchema.safeParse(fields);
  if (!parsed.success) throw new StoreUnavailableError('a stored operator key record is malformed');
  return definedOnly(parsed.data);
}

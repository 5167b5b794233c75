import { z } from 'zod';
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
});

export function decodeOperatorKey(fields: Record<string, string>): OperatorKeyRecord {
  const parsed = storedOperatorKeySchema.safeParse(fields);
  if (!parsed.success) throw new StoreUnavailableError('a stored operator key record is malformed');
  return parsed.data;
}

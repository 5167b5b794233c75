import type { OperatorKeyRecord } from '../port/index.js';
import { InvalidStoreInputError } from './errors.js';
import { isValidKeyId } from './keys.js';

const ROLES = new Set(['admin', 'revoke', 'read', 'introspect', 'feed']);

/** Checks a record before any I/O: a malformed one would later read back as a corrupt store. */
export function checkOperatorKey(record: OperatorKeyRecord): void {
  if (!isValidKeyId(record.id)) throw new InvalidStoreInputError('operator key id cannot be stored');
  if (typeof record.name !== 'string' || typeof record.hash !== 'string' || record.hash.length === 0) {
    throw new InvalidStoreInputError('operator key name and hash must be strings');
  }
  if (!Array.isArray(record.roles) || !record.roles.every((role) => ROLES.has(role))) {
    throw new InvalidStoreInputError('operator key roles must be admin, revoke, read, introspect or feed');
  }
  if (record.status !== 'active' && record.status !== 'disabled') {
    throw new InvalidStoreInputError('operator key status must be active or disabled');
  }
  checkEpoch(record.created_at);
  checkEpoch(record.updated_at);
}

export function checkOperatorKeyPatch(patch: {
  status?: 'active' | 'disabled';
  hash?: string;
  updated_at: number;
}): void {
  if (patch.status !== undefined && patch.status !== 'active' && patch.status !== 'disabled') {
    throw new InvalidStoreInputError('operator key status must be active or disabled');
  }
  if (patch.hash !== undefined && (typeof patch.hash !== 'string' || patch.hash.length === 0)) {
    throw new InvalidStoreInputError('operator key hash must be a non-empty string');
  }
  checkEpoch(patch.updated_at);
}

function checkEpoch(value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidStoreInputError('operator key times must be epoch seconds');
  }
}

/** listOperatorKeys order: oldest first, then by id. */
export function byCreation(a: OperatorKeyRecord, b: OperatorKeyRecord): number {
  return a.created_at - b.created_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

import { keyEvent, newKeyRecord } from './key-records.js';
import type { OperatorKeyDeps } from './manage-operator-keys.js';

/**
 * The first admin key: created only if no key was ever bootstrapped on this store, so it is
 * shown once across restarts and replicas. Returns the full key to print, or null.
 */
export async function bootstrapAdminKey(deps: OperatorKeyDeps): Promise<string | null> {
  const { record, key } = await newKeyRecord(deps.clock, { name: 'bootstrap-admin', roles: ['admin'] });
  const actor = { keyId: record.id, requestId: 'bootstrap' };
  const event = keyEvent(deps.clock, 'operator_key.bootstrapped', actor, record.id, { roles: 'admin' });
  if (!(await deps.store.bootstrapOperatorKey(record, event))) return null;
  deps.audit.log(event);
  return key;
}

/** For stderr only, never the structured log: the key must not land in log storage. */
export function formatBootstrapBanner(key: string): string {
  return [
    '',
    '  ************************************************************',
    '  *  WRIT BOOTSTRAP — INITIAL ADMIN OPERATOR KEY               *',
    '  ************************************************************',
    `  ${key}`,
    '',
    '  Store it now: it is shown this once and NEVER again (only its hash is kept).',
    '  Use it as `Authorization: Bearer <key>`; create per-person keys with',
    '  POST /v1/operator-keys and disable this one when done.',
    '',
    '',
  ].join('\n');
}

import { describe, expect, it } from 'vitest';
import type { AuditEventType } from '../../../src/audit/audit-event.js';
import { InvalidStoreInputError, type OperatorRole } from '../../../src/store/index.js';
import { buildAudit, buildOperatorKey } from '../support/test-data.js';
import type { StoreFixture } from './contract.js';

/** Operator key records (operator credentials). */
export function describeOperatorKeyContract(fixture: () => StoreFixture): void {
  const keyEvent = (f: StoreFixture, type: AuditEventType) =>
    buildAudit(f.clock, { type, decision: 'info', operator_key_id: 'admin1' });

  describe('operator keys', () => {
    it('creates a key once, with its audit event, and reads it back', async () => {
      const f = fixture();
      const record = buildOperatorKey(f.clock, { roles: ['admin', 'introspect'] });
      const created = keyEvent(f, 'operator_key.created');
      expect(await f.store.createOperatorKey(record, created)).toBe(true);
      expect(await f.store.getOperatorKey(record.id)).toStrictEqual(record);
      expect(await f.store.readAudit(5)).toStrictEqual([created]);
      const before = await f.snapshot();
      const clash = { ...record, name: 'other', hash: '$argon2id$other' };
      expect(await f.store.createOperatorKey(clash, keyEvent(f, 'operator_key.created'))).toBe(false);
      expect(await f.snapshot()).toEqual(before);
      expect(await f.store.getOperatorKey('no-such-key')).toBeNull();
      expect(await f.store.getOperatorKey('bad id')).toBeNull();
    });

    it('lists keys oldest first', async () => {
      const f = fixture();
      const now = f.clock.nowSeconds();
      const records = [
        buildOperatorKey(f.clock, { id: 'k2', created_at: now + 2 }),
        buildOperatorKey(f.clock, { id: 'k1', created_at: now }),
        buildOperatorKey(f.clock, { id: 'k0', created_at: now + 2 }),
      ];
      expect(await f.store.listOperatorKeys()).toEqual([]);
      for (const record of records)
        await f.store.createOperatorKey(record, keyEvent(f, 'operator_key.created'));
      expect((await f.store.listOperatorKeys()).map((k) => k.id)).toEqual(['k1', 'k0', 'k2']);
    });

    it('bootstraps the first admin key once, ever', async () => {
      const f = fixture();
      const first = buildOperatorKey(f.clock, { roles: ['admin'] });
      expect(await f.store.bootstrapOperatorKey(first, keyEvent(f, 'operator_key.bootstrapped'))).toBe(true);
      expect(await f.store.getOperatorKey(first.id)).toStrictEqual(first);
      await f.store.updateOperatorKey(
        first.id,
        { status: 'disabled', updated_at: 1 },
        keyEvent(f, 'operator_key.disabled'),
      );
      const before = await f.snapshot();
      const second = buildOperatorKey(f.clock, { roles: ['admin'] });
      expect(await f.store.bootstrapOperatorKey(second, keyEvent(f, 'operator_key.bootstrapped'))).toBe(
        false,
      );
      expect(await f.snapshot()).toEqual(before);
      expect(await f.store.getOperatorKey(second.id)).toBeNull();
    });

    it('disables and rotates an existing key, audited; a missing key is not created', async () => {
      const f = fixture();
      const record = buildOperatorKey(f.clock);
      await f.store.createOperatorKey(record, keyEvent(f, 'operator_key.created'));
      const disabled = keyEvent(f, 'operator_key.disabled');
      expect(
        await f.store.updateOperatorKey(
          record.id,
          { status: 'disabled', updated_at: record.updated_at + 5 },
          disabled,
        ),
      ).toBe(true);
      const rotated = keyEvent(f, 'operator_key.rotated');
      const patch = { hash: '$argon2id$new', status: 'active' as const, updated_at: record.updated_at + 9 };
      expect(await f.store.updateOperatorKey(record.id, patch, rotated)).toBe(true);
      expect(await f.store.getOperatorKey(record.id)).toStrictEqual({ ...record, ...patch });
      expect((await f.store.readAudit(2)).map((e) => e.type)).toEqual([
        'operator_key.rotated',
        'operator_key.disabled',
      ]);
      const before = await f.snapshot();
      expect(
        await f.store.updateOperatorKey(
          'no-such-key',
          { updated_at: 1 },
          keyEvent(f, 'operator_key.disabled'),
        ),
      ).toBe(false);
      expect(
        await f.store.updateOperatorKey('bad id', { updated_at: 1 }, keyEvent(f, 'operator_key.disabled')),
      ).toBe(false);
      expect(await f.snapshot()).toEqual(before);
    });

    it('rotates (with or without overlap), deletes and stamps use alike in both stores', async () => {
      const f = fixture();
      const record = buildOperatorKey(f.clock);
      await f.store.createOperatorKey(record, keyEvent(f, 'operator_key.created'));
      const rotate = (hash: string, previousUntil?: number) =>
        f.store.rotateOperatorKey(
          record.id,
          {
            hash,
            updated_at: record.updated_at + 1,
            ...(previousUntil === undefined ? {} : { previousUntil }),
          },
          keyEvent(f, 'operator_key.rotated'),
        );
      expect(await rotate('$argon2id$two', 500)).toBe('rotated');
      expect(await f.store.getOperatorKey(record.id)).toMatchObject({
        hash: '$argon2id$two',
        previous_hash: record.hash,
        previous_hash_until: 500,
      });
      expect(await rotate('$argon2id$three')).toBe('rotated');
      const plain = await f.store.getOperatorKey(record.id);
      expect(plain).toStrictEqual({ ...record, hash: '$argon2id$three', updated_at: record.updated_at + 1 });

      await f.store.touchOperatorKey(record.id, 700);
      await f.store.touchOperatorKey(record.id, 600);
      expect((await f.store.getOperatorKey(record.id))?.last_used_at).toBe(700);

      await f.store.updateOperatorKey(
        record.id,
        { status: 'disabled', updated_at: 9 },
        keyEvent(f, 'operator_key.disabled'),
      );
      const beforeRefusal = await f.snapshot();
      expect(await rotate('$argon2id$four')).toBe('disabled');
      expect(await f.snapshot()).toEqual(beforeRefusal);

      expect(await f.store.deleteOperatorKey(record.id, keyEvent(f, 'operator_key.deleted'))).toBe(true);
      expect(await f.store.getOperatorKey(record.id)).toBeNull();
      expect(await f.store.listOperatorKeys()).toEqual([]);
      const afterDelete = await f.snapshot();
      // A late use stamp must not resurrect a deleted key as a partial record.
      await f.store.touchOperatorKey(record.id, 800);
      expect(await rotate('$argon2id$five')).toBe('missing');
      expect(await f.store.deleteOperatorKey(record.id, keyEvent(f, 'operator_key.deleted'))).toBe(false);
      expect(await f.snapshot()).toEqual(afterDelete);
    });

    it('rejects a record it could not read back, before writing', async () => {
      const f = fixture();
      const bad = [
        buildOperatorKey(f.clock, { id: 'has space' }),
        buildOperatorKey(f.clock, { roles: ['root' as OperatorRole] }),
        buildOperatorKey(f.clock, { hash: '' }),
        buildOperatorKey(f.clock, { created_at: -1 }),
      ];
      for (const record of bad) {
        await expect(f.store.createOperatorKey(record, keyEvent(f, 'operator_key.disabled'))).rejects.toThrow(
          InvalidStoreInputError,
        );
      }
      await expect(
        f.store.updateOperatorKey(
          'k',
          { status: 'gone' as 'active', updated_at: 1 },
          keyEvent(f, 'operator_key.disabled'),
        ),
      ).rejects.toThrow(InvalidStoreInputError);
      expect(await f.snapshot()).toEqual({});
    });
  });
}

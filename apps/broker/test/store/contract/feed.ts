import { describe, expect, it } from 'vitest';
import {
  InvalidCursorError,
  InvalidStoreInputError,
  type RevocationTarget,
} from '../../../src/store/index.js';
import { buildAudit } from '../support/test-data.js';
import type { MakeStore, StoreFixture } from './contract.js';

/** readRevocations: paging and gaps of the bounded feed (revocation feed). */
export function describeFeedContract(fixture: () => StoreFixture, makeStore: MakeStore): void {
  const revokeEvent = (f: StoreFixture) => buildAudit(f.clock, { type: 'all.revoked', decision: 'info' });

  describe('revocation feed', () => {
    it('pages oldest first after an exclusive id', async () => {
      const f = fixture();
      const ids: string[] = [];
      for (let n = 0; n < 5; n++) {
        const target: RevocationTarget = { kind: 'principal', principal: `oidc:ci:${n}` };
        ids.push((await f.store.revoke({ target, reason: 'x', audit: revokeEvent(f) })).entry?.id ?? '');
      }
      const first = await f.store.readRevocations('0-0', 2);
      expect(first).toMatchObject({ gap: false });
      expect(first.entries.map((e) => e.id)).toEqual(ids.slice(0, 2));
      const second = await f.store.readRevocations(ids[1] ?? '', 2);
      expect(second.entries.map((e) => e.id)).toEqual(ids.slice(2, 4));
      expect((await f.store.readRevocations(ids[4] ?? '', 2)).entries).toEqual([]);
      expect(second.entries[0]?.target).toEqual({ kind: 'principal', principal: 'oidc:ci:2' });
    });

    it('reports a cursor ahead of the newest entry (never issued by this feed) as ahead', async () => {
      const f = fixture();
      expect(await f.store.readRevocations('0-0', 10)).toEqual({ entries: [], gap: false, ahead: false });
      expect(await f.store.readRevocations('5-0', 10)).toEqual({ entries: [], gap: false, ahead: true });
      const { entry } = await f.store.revoke({ target: { kind: 'all' }, reason: 'x', audit: revokeEvent(f) });
      const id = entry?.id ?? '';
      expect(await f.store.readRevocations(id, 10)).toEqual({ entries: [], gap: false, ahead: false });
      const [ms = '0', seq = '0'] = id.split('-');
      expect((await f.store.readRevocations(`${ms}-${BigInt(seq) + 1n}`, 10)).ahead).toBe(true);
      const max = '18446744073709551615-18446744073709551615';
      expect(await f.store.readRevocations(max, 10)).toEqual({ entries: [], gap: false, ahead: true });
      await expect(f.store.readRevocations('18446744073709551616-0', 10)).rejects.toThrow(InvalidCursorError);
    });

    it('reports a gap when entries after the reader were trimmed from the bounded feed', async () => {
      const bounded = await makeStore({ feedMaxLen: 3 });
      try {
        const ids: string[] = [];
        for (let n = 0; n < 5; n++) {
          const result = await bounded.store.revoke({
            target: { kind: 'all' },
            reason: 'x',
            audit: revokeEvent(bounded),
          });
          ids.push(result.entry?.id ?? '');
        }
        const all = await bounded.store.readRevocations('0-0', 10);
        expect(all.gap).toBe(true);
        expect(all.entries.map((e) => e.id)).toEqual(ids.slice(2));
        expect((await bounded.store.readRevocations(ids[0] ?? '', 10)).gap).toBe(true);
        expect(await bounded.store.readRevocations(ids[1] ?? '', 10)).toMatchObject({ gap: false });
        expect((await bounded.store.revocationSnapshot()).generation).toBe(6);
      } finally {
        await bounded.cleanup();
      }
    });

    describe('waitForRevocations', () => {
      const revokeAll = (f: StoreFixture) =>
        f.store.revoke({ target: { kind: 'all' }, reason: 'x', audit: revokeEvent(f) });

      it('returns true at once when an entry after the id exists', async () => {
        const f = fixture();
        await revokeAll(f);
        const started = Date.now();
        expect(await f.store.waitForRevocations('0-0', 5000)).toBe(true);
        expect(Date.now() - started).toBeLessThan(1000);
      });

      it('returns false after the timeout when nothing newer arrives', async () => {
        const f = fixture();
        const last = (await revokeAll(f)).entry?.id ?? '';
        const started = Date.now();
        expect(await f.store.waitForRevocations(last, 150)).toBe(false);
        expect(Date.now() - started).toBeGreaterThanOrEqual(100);
      });

      it('wakes as soon as an entry is appended', async () => {
        const f = fixture();
        const last = (await revokeAll(f)).entry?.id ?? '';
        const controller = new AbortController();
        try {
          const waiting = f.store.waitForRevocations(last, 10_000, controller.signal);
          await new Promise((resolve) => setTimeout(resolve, 50));
          const started = Date.now();
          await revokeAll(f);
          expect(await waiting).toBe(true);
          expect(Date.now() - started).toBeLessThan(1000);
        } finally {
          controller.abort();
        }
      });

      it('returns false when its signal aborts', async () => {
        const f = fixture();
        const controller = new AbortController();
        const waiting = f.store.waitForRevocations('0-0', 10_000, controller.signal);
        await new Promise((resolve) => setTimeout(resolve, 50));
        const started = Date.now();
        controller.abort();
        expect(await waiting).toBe(false);
        expect(Date.now() - started).toBeLessThan(1000);
        expect(await f.store.waitForRevocations('0-0', 5000, controller.signal)).toBe(false);
      });

      it('rejects a malformed id or timeout', async () => {
        const f = fixture();
        await expect(f.store.waitForRevocations('$', 100)).rejects.toThrow(InvalidCursorError);
        await expect(f.store.waitForRevocations('0-0', 0)).rejects.toThrow(InvalidStoreInputError);
        await expect(f.store.waitForRevocations('0-0', 1.5)).rejects.toThrow(InvalidStoreInputError);
      });
    });

    it('rejects a malformed id or page size', async () => {
      const f = fixture();
      await expect(f.store.readRevocations('latest', 10)).rejects.toThrow(InvalidCursorError);
      await expect(f.store.readRevocations('0-0', 0)).rejects.toThrow(InvalidStoreInputError);
      await expect(f.store.readRevocations('0-0', 5000)).rejects.toThrow(InvalidStoreInputError);
    });
  });
}

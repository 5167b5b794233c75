import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postRevocation, reExchangeStatus } from './revocation-helpers.js';
import { createTestOperatorKey, jtiOf, ORCHESTRATOR, startWrit } from './support/fixtures.js';
import { createTestBroker, type TestBroker } from './support/test-broker.js';

// A revoked writ must not buy a fresh one: the new writ would carry a new jti and the current
// generation, escaping the revocation that covered its subject token.
describe.each(['memory', 'redis'] as const)(
  'a writ revoked in its own right cannot re-exchange (%s)',
  (store) => {
    let t: TestBroker;
    let key: string;
    beforeEach(async () => {
      t = await createTestBroker({ store });
      key = (await createTestOperatorKey(t, ['revoke'])).key;
    });
    afterEach(async () => t.close());

    it.each([
      ['jti', (writ: string) => ({ jti: jtiOf(writ) })],
      ['principal', () => ({ principal: ORCHESTRATOR })],
      ['issuer', () => ({ issuer: 'spiffe:test.example' })],
      ['all', () => ({ all: true })],
    ])('after a %s revocation', async (_kind, body) => {
      const writ = await startWrit(t);
      expect((await postRevocation(t.app, key, body(writ))).status).toBe(200);
      expect(await reExchangeStatus(t, writ)).toBe(400);
    });
  },
);

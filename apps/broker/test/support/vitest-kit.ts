// The broker's test kit for tests outside this package that run under vitest (packages/verifier,
// examples): one entry, no deep paths. testing.ts is the vitest-free entry for scripts.
export { AGENT, createKeyedBroker } from '../authorize-fixtures.js';
export {
  createTestOperatorKey,
  delegateWrit,
  jtiOf,
  startWrit,
  taskIdOf,
  worker,
} from './fixtures.js';
export { SERVED_AUDIENCE, SERVED_ISSUER, serveBroker } from './serve-broker.js';
export { API_AUDIENCE, BROKER_ISSUER, createTestBroker, type TestBroker } from './test-broker.js';
export { b64, decodePayload, forgeToken, hs256 } from './tokens.js';

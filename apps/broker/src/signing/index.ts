export {
  generateEphemeralKeyRing,
  generatePrivateJwkSet,
  type KeyRing,
  loadKeyRing,
  SIGNING_ALGORITHMS,
} from './key-ring.js';
export { createHandoffVerifier, type HandoffVerifier } from './verify-handoff.js';
export { createWritVerifier, WritVerificationError, type WritVerifier } from './verify-writ.js';

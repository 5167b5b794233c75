export {
  generateEphemeralKeyRing,
  generatePrivateJwkSet,
  type KeyRing,
  KeyRingError,
  loadKeyRing,
  SIGNING_ALGORITHMS,
  type SigningAlgorithm,
} from './key-ring.js';
export { createHandoffVerifier, type HandoffVerifier } from './verify-handoff.js';
export { createWritVerifier, WritVerificationError, type WritVerifier } from './verify-writ.js';

export {
  generateEphemeralKeyRing,
  generatePrivateJwkSet,
  type KeyRing,
  loadKeyRing,
  SIGNING_ALGORITHMS,
} from './key-ring.js';
export { createWritVerifier, WritVerificationError, type WritVerifier } from './verify-writ.js';

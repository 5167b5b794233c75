export type { Action, DataClass, WritClaims } from '@writ/claims';
export { createVerifier, type PermitsResult, type Verifier, type VerifierAction } from './create-verifier.js';
export { decide, type GuardOptions, type WritDecision } from './decide.js';
export { WRIT_ERROR_CODES, WritError, type WritErrorCode } from './errors.js';
export type { AuthorizeDecision } from './online-authorize.js';
export type { RevocationSource, VerifierOptions } from './options.js';

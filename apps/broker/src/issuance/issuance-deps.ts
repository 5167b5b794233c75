import type { AuditLog } from '../audit/audit-log.js';
import type { IdentityVerifier } from '../identity/index.js';
import type { PolicyEngine } from '../policy/index.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { HandoffVerifier, KeyRing, WritVerifier } from '../signing/index.js';
import type { WritStore } from '../store/index.js';

export interface IssuanceSettings {
  issuer: string;
  /** Allowed downstream audiences; `allowAnyAudience` only in dev mode. */
  audiences: readonly string[];
  allowAnyAudience: boolean;
  defaultTtlSeconds: number;
  maxTtlSeconds: number;
  maxDelegationDepth: number;
  rateLimit: { limit: number; windowSeconds: number };
}

/** Ports the token-exchange domain needs; built once in deps.ts. */
export interface IssuanceDeps {
  settings: IssuanceSettings;
  identity: IdentityVerifier;
  writs: WritVerifier;
  /** The broker's own handoffs (docs/handoff.md). */
  handoffs: HandoffVerifier;
  keyRing: KeyRing;
  policy: PolicyEngine;
  store: WritStore;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
}

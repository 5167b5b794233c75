import type { AuditLog } from '../audit/audit-log.js';
import type { PolicyEngine } from '../policy/index.js';
import type { Clock } from '../shared/clock.js';
import type { WritVerifier } from '../signing/index.js';
import type { WritStore } from '../store/index.js';
import type { TaskFactsCache } from './task-facts-cache.js';

/** Ports runtime authorization and introspection need; `IssuanceDeps` satisfies it. */
export interface RuntimeDeps {
  writs: WritVerifier;
  store: WritStore;
  policy: PolicyEngine;
  audit: AuditLog;
  clock: Clock;
  /** Immutable facts of live tasks, so a repeated authorize skips the task read. */
  taskFacts?: TaskFactsCache;
}
